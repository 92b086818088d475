package render

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// number is an int or float parameter value given to a format template,
// so that numeric specs ({:05d}, {:.2f}, {:x}) apply as in Python.
type number struct {
	isInt bool
	i     int64
	f     float64
	text  string // the value as rendered without a spec
}

// numberValue reads a converted int or float value (Convert keeps them as
// their text) as a number.
func numberValue(typ string, v any) (number, bool) {
	s := pyStr(v)
	if typ == "int" {
		if i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
			return number{isInt: true, i: i, f: float64(i), text: strconv.FormatInt(i, 10)}, true
		}
		return number{}, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return number{}, false
	}
	return number{f: f, text: s}, true
}

// applyNumSpec formats a number with a Python format spec:
// [[fill]align][sign][0][width][.precision][type], type one of d x X o b
// (integers) or f F e E g G % (both); no type writes the value as it is.
func applyNumSpec(n number, spec string) (string, error) {
	if spec == "" {
		return n.text, nil
	}
	orig := spec
	rs := []rune(spec)
	fill, align := ' ', rune(0)
	if len(rs) >= 2 && strings.ContainsRune("<>^=", rs[1]) {
		fill, align, rs = rs[0], rs[1], rs[2:]
	} else if len(rs) >= 1 && strings.ContainsRune("<>^=", rs[0]) {
		align, rs = rs[0], rs[1:]
	}
	sign := '-'
	if len(rs) > 0 && strings.ContainsRune("+- ", rs[0]) {
		sign, rs = rs[0], rs[1:]
	}
	if len(rs) > 0 && rs[0] == '0' {
		if align == 0 {
			fill, align = '0', '='
		}
		rs = rs[1:]
	}
	width := 0
	for len(rs) > 0 && rs[0] >= '0' && rs[0] <= '9' && width < 1e5 {
		width = width*10 + int(rs[0]-'0')
		rs = rs[1:]
	}
	prec := -1
	if len(rs) > 0 && rs[0] == '.' {
		rs = rs[1:]
		prec = 0
		start := len(rs)
		for len(rs) > 0 && rs[0] >= '0' && rs[0] <= '9' && prec < 1e4 {
			prec = prec*10 + int(rs[0]-'0')
			rs = rs[1:]
		}
		if len(rs) == start {
			return "", fmt.Errorf("format spec %q: missing precision", orig)
		}
	}
	typ := rune(0)
	if len(rs) == 1 {
		typ, rs = rs[0], rs[1:]
	}
	if len(rs) != 0 || width > 10000 {
		return "", fmt.Errorf("format spec %q is not a number format this renderer knows ([[fill]align][sign][0][width][.precision][type])", orig)
	}
	neg := n.f < 0 || n.isInt && n.i < 0
	var body string
	switch {
	case strings.ContainsRune("dxXob", typ) && typ != 0:
		if !n.isInt {
			return "", fmt.Errorf("format spec %q: %q needs an integer", orig, typ)
		}
		if prec >= 0 {
			return "", fmt.Errorf("format spec %q: precision is not allowed for an integer", orig)
		}
		u := uint64(n.i)
		if n.i < 0 {
			u = uint64(-n.i)
		}
		base := map[rune]int{'d': 10, 'x': 16, 'X': 16, 'o': 8, 'b': 2}[typ]
		body = strconv.FormatUint(u, base)
		if typ == 'X' {
			body = strings.ToUpper(body)
		}
	case typ == 0 && n.isInt && prec < 0:
		body = strconv.FormatInt(n.i, 10)
		body = strings.TrimPrefix(body, "-")
	case typ == 0 && prec < 0:
		body = strings.TrimPrefix(n.text, "-")
	default:
		f := math.Abs(n.f)
		if prec < 0 {
			prec = 6
		}
		switch typ {
		case 'f', 'F':
			body = strconv.FormatFloat(f, 'f', prec, 64)
		case 'e', 'E':
			body = strconv.FormatFloat(f, 'e', prec, 64)
			if typ == 'E' {
				body = strings.ToUpper(body)
			}
		case 'g', 'G', 0:
			body = strconv.FormatFloat(f, 'g', max(prec, 1), 64)
			if typ == 'G' {
				body = strings.ToUpper(body)
			}
		case '%':
			body = strconv.FormatFloat(f*100, 'f', prec, 64) + "%"
		default:
			return "", fmt.Errorf("format spec %q: unknown type %q", orig, typ)
		}
	}
	pre := ""
	switch {
	case neg:
		pre = "-"
	case sign == '+':
		pre = "+"
	case sign == ' ':
		pre = " "
	}
	if align == 0 {
		align = '>'
	}
	pad := width - len([]rune(pre+body))
	if pad <= 0 {
		return pre + body, nil
	}
	fills := strings.Repeat(string(fill), pad)
	switch align {
	case '<':
		return pre + body + fills, nil
	case '^':
		l := pad / 2
		return strings.Repeat(string(fill), l) + pre + body + strings.Repeat(string(fill), pad-l), nil
	case '=':
		return pre + fills + body, nil
	}
	return fills + pre + body, nil
}
