// Package render owns parameter rendering for MSTICPy query templates:
// reading values of each declared type (str, int, float, bool, list,
// datetime, dict), defaults and aliases, the optional per-parameter
// `format`, Python str.format substitution of `{name}` placeholders (with
// `{{`/`}}` unescaped and any other brace text left alone), MSTICPy's
// blank-line collapsing, and — beyond MSTICPy — escaping each value for the
// string literal of the query language it lands in (KQL, SPL, SQL,
// Lucene, JSON) or binding it as a SQL parameter. It also parses
// MSTICPy's datetime forms and splits a time range into chunks.
package render

import (
	"strings"
)

// litState is the lexical context of a placeholder in the template.
type litState uint8

const (
	stNone         litState = iota
	stDQ                    // "..." with backslash escapes
	stSQ                    // '...' with backslash escapes (KQL)
	stVerbDQ                // KQL @"..." (doubled quote)
	stVerbSQ                // KQL @'...'
	stTriple                // KQL ```...```
	stLineComment           // // or -- to end of line
	stBlockComment          // /* ... */
	stSQLSQ                 // SQL '...' (doubled quote)
	stSQLIdent              // SQL "..." identifier (doubled quote)
	stSQLESQ                // PostgreSQL/DuckDB E'...' (backslash escapes and doubled quote)
	stSQLUSQ                // PostgreSQL U&'...' (doubled quote; backslash starts a Unicode escape)
	stDollar                // PostgreSQL/DuckDB $$...$$ or $tag$...$tag$
)

func (s litState) String() string {
	switch s {
	case stDQ:
		return `a "..." string`
	case stSQ:
		return `a '...' string`
	case stVerbDQ:
		return `a verbatim @"..." string`
	case stVerbSQ:
		return `a verbatim @'...' string`
	case stTriple:
		return "a ```...``` string"
	case stLineComment:
		return "a line comment"
	case stBlockComment:
		return "a block comment"
	case stSQLSQ:
		return `a '...' string`
	case stSQLIdent:
		return `a "..." identifier`
	case stSQLESQ:
		return `an E'...' string`
	case stSQLUSQ:
		return `a U&'...' string`
	case stDollar:
		return `a $$...$$ string`
	}
	return "query text"
}

// Placeholder is one `{name...}` field of a template.
type Placeholder struct {
	Name  string
	Index []int  // [n] accesses, applied to the string form
	Conv  byte   // 0, 's', 'r' or 'a'
	Spec  string // text after ':'
	Raw   string // the field text as written, braces included
	state litState
	bind  bool
	// afterEscape: the template puts a backslash just before the value,
	// inside a string with backslash escapes (it would escape the value's
	// first character); dollarNext: $ or tag characters touch the value
	// inside a dollar-quoted string (together they could close it).
	afterEscape, dollarNext bool
	dTag                    string   // the dollar quote's tag ($q$), when inside one
	dBefore                 string   // tag characters between a $ and the value
	dBeforeOK               bool     // a $ of the template, then dBefore, then the value
	nested                  []string // names of fields nested in Spec ({w} in {s:{w}})
}

type segment struct {
	lit string
	ph  *Placeholder
}

// Template is a parsed query template for one dialect.
type Template struct {
	Source  string
	Dialect string
	segs    []segment
	size    int
}

// Placeholders returns the distinct placeholder names in order of first use.
func (t *Template) Placeholders() []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range t.segs {
		if s.ph == nil {
			continue
		}
		for _, n := range append([]string{s.ph.Name}, s.ph.nested...) {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}

// Compile parses a template with Python str.format brace rules: `{{` and
// `}}` become single braces; `{name}`, `{name:spec}`, `{name!r}` and
// `{name[0]}` (name a Python identifier) are placeholders; every other
// brace is kept as written. dialect ("kql", "spl", "sql", "lucene",
// "json" or "") decides how string literals are recognised, so values
// placed inside them can be escaped. With bind set (SQL), a placeholder
// that is a whole '...' literal becomes a bound parameter.
func Compile(src, dialect string, bind bool) *Template {
	t := &Template{Source: src, Dialect: dialect}
	var lit strings.Builder
	lx := lexer{dialect: dialect}
	flush := func() {
		if lit.Len() > 0 {
			s := lit.String()
			lx.feed(s)
			t.segs = append(t.segs, segment{lit: s})
			lit.Reset()
		}
	}
	i := 0
	for i < len(src) {
		c := src[i]
		switch c {
		case '{':
			if i+1 < len(src) && src[i+1] == '{' {
				lit.WriteByte('{')
				i += 2
				continue
			}
			if ph, n := parseField(src[i:]); ph != nil {
				flush()
				ph.state = lx.state
				ph.afterEscape = lx.escPending
				if lx.state == stDollar {
					ph.dTag = lx.tag
					ph.dBefore, ph.dBeforeOK = dollarSide(t.segs, false)
				}
				lx.gap()
				t.segs = append(t.segs, segment{ph: ph})
				i += n
				continue
			}
			lit.WriteByte('{')
			i++
		case '}':
			lit.WriteByte('}')
			if i+1 < len(src) && src[i+1] == '}' {
				i += 2
			} else {
				i++
			}
		default:
			j := i + 1
			for j < len(src) && src[j] != '{' && src[j] != '}' {
				j++
			}
			lit.WriteString(src[i:j])
			i = j
		}
	}
	flush()
	// A value in a dollar quote holds no $, so a closing tag can form
	// around it only as $ + tag characters + value + tag characters + $,
	// with the template's text on both sides: such a placeholder is
	// refused when rendered.
	for k, sg := range t.segs {
		ph := sg.ph
		if ph == nil || ph.state != stDollar || !ph.dBeforeOK {
			continue
		}
		after, ok := dollarSide(t.segs[k+1:], true)
		if !ok {
			continue
		}
		inner := strings.TrimSuffix(strings.TrimPrefix(ph.dTag, "$"), "$")
		if ph.dBefore == "\x00" || after == "\x00" ||
			strings.HasPrefix(inner, ph.dBefore) && strings.HasSuffix(inner, after) && len(inner) >= len(ph.dBefore)+len(after) {
			ph.dollarNext = true
		}
	}
	if bind && dialect == "sql" {
		t.markBinds()
	}
	for _, s := range t.segs {
		t.size += len(s.lit) + 16
	}
	return t
}

// dollarSide reads the template text next to a value in a dollar quote:
// before it (segs so far, the last one next to the value) or after it
// (segs from the next one, forward). It reports the tag characters between
// the value and a $ of the template, and whether there is such a $; "\x00"
// (and true) when another value touches this one, which could hold
// anything but a $.
func dollarSide(segs []segment, forward bool) (string, bool) {
	if len(segs) == 0 {
		return "", false
	}
	sg := segs[len(segs)-1]
	if forward {
		sg = segs[0]
	}
	if sg.ph != nil {
		return "\x00", true
	}
	lit := sg.lit
	if forward {
		i := 0
		for i < len(lit) && isIdent(lit[i]) {
			i++
		}
		if i < len(lit) && lit[i] == '$' {
			return lit[:i], true
		}
		return "", false
	}
	i := len(lit)
	for i > 0 && isIdent(lit[i-1]) {
		i--
	}
	if i > 0 && lit[i-1] == '$' {
		return lit[i:], true
	}
	return "", false
}

// markBinds turns '{x}' (a whole SQL string literal) into a bound parameter.
func (t *Template) markBinds() {
	for k := 1; k+1 < len(t.segs); k++ {
		ph := t.segs[k].ph
		prev, next := &t.segs[k-1], &t.segs[k+1]
		if ph == nil || ph.state != stSQLSQ || prev.ph != nil || next.ph != nil {
			continue
		}
		if ph.Spec != "" || ph.Conv != 0 || len(ph.Index) > 0 {
			continue
		}
		if !strings.HasSuffix(prev.lit, "'") || !strings.HasPrefix(next.lit, "'") {
			continue
		}
		if strings.HasPrefix(next.lit, "''") {
			continue
		}
		// The quote before must open the literal: lex prev without its
		// last quote and check we are outside a literal.
		lx := lexer{dialect: "sql"}
		for _, s := range t.segs[:k-1] {
			if s.ph == nil {
				lx.feed(s.lit)
			} else {
				lx.gap()
			}
		}
		lx.feed(prev.lit[:len(prev.lit)-1])
		if lx.state != stNone {
			continue
		}
		prev.lit = prev.lit[:len(prev.lit)-1]
		next.lit = next.lit[1:]
		ph.bind = true
		ph.state = stNone
	}
}

func isIdentStart(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func isIdent(c byte) bool { return isIdentStart(c) || ('0' <= c && c <= '9') }

// parseField reads a replacement field at s[0]=='{'. It returns nil when
// the text is not a named field (so the brace is literal text).
func parseField(s string) (*Placeholder, int) {
	i := 1
	if i >= len(s) || !isIdentStart(s[i]) {
		return nil, 0
	}
	for i < len(s) && isIdent(s[i]) {
		i++
	}
	ph := &Placeholder{Name: s[1:i]}
	for i < len(s) && s[i] == '[' {
		j := i + 1
		n := 0
		for j < len(s) && '0' <= s[j] && s[j] <= '9' && j-i < 8 {
			n = n*10 + int(s[j]-'0')
			j++
		}
		if j == i+1 || j >= len(s) || s[j] != ']' {
			return nil, 0
		}
		ph.Index = append(ph.Index, n)
		i = j + 1
	}
	if i < len(s) && s[i] == '!' {
		if i+1 >= len(s) || (s[i+1] != 'r' && s[i+1] != 's' && s[i+1] != 'a') {
			return nil, 0
		}
		ph.Conv = s[i+1]
		i += 2
	}
	if i < len(s) && s[i] == ':' {
		j := i + 1
		for j < len(s) && s[j] != '}' && s[j] != '\n' {
			if s[j] == '{' {
				// a nested field, as Python: '{s:{w}}' takes the width from w
				k := j + 1
				if k >= len(s) || !isIdentStart(s[k]) {
					return nil, 0
				}
				for k < len(s) && isIdent(s[k]) {
					k++
				}
				if k >= len(s) || s[k] != '}' {
					return nil, 0
				}
				ph.nested = append(ph.nested, s[j+1:k])
				j = k
			}
			j++
		}
		if j >= len(s) || s[j] != '}' {
			return nil, 0
		}
		ph.Spec = s[i+1 : j]
		i = j
	}
	if i >= len(s) || s[i] != '}' {
		return nil, 0
	}
	ph.Raw = s[:i+1]
	return ph, i + 1
}

// lexer tracks whether the text so far ends inside a string literal.
// SQL is lexed with PostgreSQL's rules (DuckDB follows them too):
// E'...' strings with backslash escapes, U&'...' strings, $tag$ dollar
// quotes and nested /* */ comments.
type lexer struct {
	dialect string
	state   litState
	depth   int    // nesting of SQL block comments
	tag     string // the closing delimiter of a dollar-quoted string
	prev    byte   // the last byte fed; 0 at the start and after a placeholder
	// escPending: the text fed ends with a backslash that escapes whatever
	// comes next, inside a string with backslash escapes; a value placed
	// there would have its first character escaped by the template.
	escPending bool
}

// gap records that a value of unknown text comes next. The byte before
// the following text is then unknown, which the SQL rules read the safe
// way (an E or $ after it starts a literal).
func (lx *lexer) gap() { lx.prev, lx.escPending = 0, false }

// sqlIdentByte reports whether c continues a PostgreSQL identifier (so an
// E or U before a quote is part of a name, not a string prefix). Digits
// are left out on purpose: "1E'x'" is a number then an E'...' string for
// older PostgreSQL, and reading an ordinary string as an E-string only
// escapes more.
func sqlIdentByte(c byte) bool {
	return c == '_' || c == '$' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || c >= 0x80
}

// dollarTag returns the $tag$ (or $$) that starts s, or "".
func dollarTag(s string) string {
	if len(s) < 2 || s[0] != '$' {
		return ""
	}
	if s[1] == '$' {
		return "$$"
	}
	if !(s[1] == '_' || ('a' <= s[1] && s[1] <= 'z') || ('A' <= s[1] && s[1] <= 'Z') || s[1] >= 0x80) {
		return ""
	}
	for j := 2; j < len(s); j++ {
		c := s[j]
		if c == '$' {
			return s[:j+1]
		}
		if !(c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') || c >= 0x80) {
			return ""
		}
	}
	return ""
}

func (lx *lexer) feed(s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch lx.state {
		case stNone:
			switch lx.dialect {
			case "kql":
				switch {
				case c == '/' && i+1 < len(s) && s[i+1] == '/':
					lx.state = stLineComment
					i++
				case c == '@' && i+1 < len(s) && s[i+1] == '"':
					lx.state = stVerbDQ
					i++
				case c == '@' && i+1 < len(s) && s[i+1] == '\'':
					lx.state = stVerbSQ
					i++
				case c == '`' && strings.HasPrefix(s[i:], "```"):
					lx.state = stTriple
					i += 2
				case c == '"':
					lx.state = stDQ
				case c == '\'':
					lx.state = stSQ
				}
			case "sql":
				prev := lx.prev
				if i > 0 {
					prev = s[i-1]
				}
				switch {
				case c == '-' && i+1 < len(s) && s[i+1] == '-':
					lx.state = stLineComment
					i++
				case c == '/' && i+1 < len(s) && s[i+1] == '*':
					lx.state = stBlockComment
					lx.depth = 1
					i++
				case (c == 'E' || c == 'e') && i+1 < len(s) && s[i+1] == '\'' && !sqlIdentByte(prev):
					lx.state = stSQLESQ
					i++
				case (c == 'U' || c == 'u') && strings.HasPrefix(s[i+1:], "&'") && !sqlIdentByte(prev):
					lx.state = stSQLUSQ
					i += 2
				case c == '$' && !sqlIdentByte(prev) && !('0' <= prev && prev <= '9'):
					if tag := dollarTag(s[i:]); tag != "" {
						lx.state = stDollar
						lx.tag = tag
						i += len(tag) - 1
					}
				case c == '\'':
					lx.state = stSQLSQ
				case c == '"':
					lx.state = stSQLIdent
				}
			case "spl", "lucene", "json":
				if c == '"' {
					lx.state = stDQ
				}
			}
		case stDQ, stSQ:
			q := byte('"')
			if lx.state == stSQ {
				q = '\''
			}
			if c == '\\' {
				lx.escPending = i+1 >= len(s)
				i++
			} else if c == q {
				lx.state = stNone
			}
		case stVerbDQ:
			if c == '"' {
				if i+1 < len(s) && s[i+1] == '"' {
					i++
				} else {
					lx.state = stNone
				}
			}
		case stVerbSQ, stSQLSQ, stSQLUSQ:
			if c == '\'' {
				if i+1 < len(s) && s[i+1] == '\'' {
					i++
				} else {
					lx.state = stNone
				}
			}
		case stSQLESQ:
			if c == '\\' {
				lx.escPending = i+1 >= len(s)
				i++
			} else if c == '\'' {
				if i+1 < len(s) && s[i+1] == '\'' {
					i++
				} else {
					lx.state = stNone
				}
			}
		case stDollar:
			if c == '$' && strings.HasPrefix(s[i:], lx.tag) {
				lx.state = stNone
				i += len(lx.tag) - 1
				lx.tag = ""
			}
		case stTriple:
			if c == '`' && strings.HasPrefix(s[i:], "```") {
				lx.state = stNone
				i += 2
			}
		case stLineComment:
			if c == '\n' || (c == '\r' && lx.dialect == "sql") {
				lx.state = stNone
			}
		case stBlockComment:
			switch {
			case c == '*' && i+1 < len(s) && s[i+1] == '/':
				i++
				if lx.depth--; lx.depth <= 0 {
					lx.depth = 0
					lx.state = stNone
				}
			case c == '/' && i+1 < len(s) && s[i+1] == '*':
				lx.depth++
				i++
			}
		case stSQLIdent:
			if c == '"' {
				if i+1 < len(s) && s[i+1] == '"' {
					i++
				} else {
					lx.state = stNone
				}
			}
		}
	}
	if len(s) > 0 {
		lx.prev = s[len(s)-1]
	}
}
