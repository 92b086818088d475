package render

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// pyFloat writes a float as Python's repr does (1.5, 2.0, 1e+20).
func pyFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	if f == 0 {
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX
	mant, expS, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expS)
	if exp < -4 || exp >= 16 {
		// Python: 1e+20, 1.5e-05
		sign := "+"
		if exp < 0 {
			sign = "-"
			exp = -exp
		}
		return fmt.Sprintf("%se%s%02d", mant, sign, exp)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// pyStr is Python's str() of a value as it reaches rendering.
func pyStr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	case float64:
		return pyFloat(x)
	case float32:
		return pyFloat(float64(x))
	case DateTime:
		return x.PyStr()
	case json.Number:
		return x.String()
	case []any, []string, map[string]any:
		return pyRepr(v)
	}
	return fmt.Sprint(v) // integers and anything else
}

// pyRepr is Python's repr() of a value.
func pyRepr(v any) string {
	switch x := v.(type) {
	case string:
		return pyReprString(x)
	case []string:
		parts := make([]string, len(x))
		for i, s := range x {
			parts[i] = pyReprString(s)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []any:
		parts := make([]string, len(x))
		for i, s := range x {
			parts[i] = pyRepr(s)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = pyReprString(k) + ": " + pyRepr(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case DateTime:
		return "'" + x.PyStr() + "'"
	}
	return pyStr(v)
}

func pyReprString(s string) string {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(q):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r == utf8.RuneError:
			b.WriteRune(r)
		case !unicode.IsPrint(r) && r > 0x7f:
			if r <= 0xff {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else if r <= 0xffff {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				fmt.Fprintf(&b, `\U%08x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// applySpec applies a Python format spec to a string value:
// [[fill]align][width][.precision][s].
func applySpec(s, spec string) (string, error) {
	if spec == "" {
		return s, nil
	}
	orig := spec
	fill, align := ' ', byte(0)
	rs := []rune(spec)
	if len(rs) >= 2 && strings.ContainsRune("<>^=", rs[1]) {
		fill, align = rs[0], byte(rs[1])
		spec = string(rs[2:])
	} else if len(rs) >= 1 && strings.ContainsRune("<>^=", rs[0]) {
		align = byte(rs[0])
		spec = string(rs[1:])
	}
	if align == '=' {
		return "", fmt.Errorf("format spec %q: '=' alignment is not allowed for a string", orig)
	}
	i := 0
	if i < len(spec) && spec[i] == '0' && align == 0 {
		fill, align = '0', '<'
		i++
	}
	w := 0
	for i < len(spec) && spec[i] >= '0' && spec[i] <= '9' && w < 1e6 {
		w = w*10 + int(spec[i]-'0')
		i++
	}
	prec := -1
	if i < len(spec) && spec[i] == '.' {
		i++
		prec = 0
		j := i
		for i < len(spec) && spec[i] >= '0' && spec[i] <= '9' && prec < 1e6 {
			prec = prec*10 + int(spec[i]-'0')
			i++
		}
		if j == i {
			return "", fmt.Errorf("format spec %q: missing precision", orig)
		}
	}
	if i < len(spec) && spec[i] == 's' {
		i++
	}
	if i != len(spec) {
		return "", fmt.Errorf("format spec %q is not valid for a string value (parameters are formatted as text)", orig)
	}
	if w > 10000 {
		return "", fmt.Errorf("format spec %q: width too large", orig)
	}
	r := []rune(s)
	if prec >= 0 && prec < len(r) {
		r = r[:prec]
	}
	pad := w - len(r)
	if pad <= 0 {
		return string(r), nil
	}
	p := strings.Repeat(string(fill), pad)
	switch align {
	case '>':
		return p + string(r), nil
	case '^':
		left := strings.Repeat(string(fill), pad/2)
		right := strings.Repeat(string(fill), pad-pad/2)
		return left + string(r) + right, nil
	}
	return string(r) + p, nil
}

// collapseBlankLines applies MSTICPy's re.sub(r"\n\s*\n", "\n", q).
func collapseBlankLines(s string) string {
	if strings.IndexByte(s, '\n') < 0 {
		return s
	}
	var b strings.Builder
	changed := false
	i := 0
	last := 0
	for i < len(s) {
		if s[i] != '\n' {
			i++
			continue
		}
		// scan whitespace after this newline, remember the last newline
		j := i + 1
		lastNL := -1
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if !isPySpace(r) {
				break
			}
			if r == '\n' {
				lastNL = j
			}
			j += n
		}
		if lastNL < 0 {
			i++
			continue
		}
		if !changed {
			b.Grow(len(s))
			changed = true
		}
		b.WriteString(s[last:i])
		b.WriteByte('\n')
		i = lastNL + 1
		last = i
	}
	if !changed {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func isPySpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\f', '\v', 0x1c, 0x1d, 0x1e, 0x1f, 0x85:
		return true
	}
	return r > 0x7f && unicode.IsSpace(r)
}
