package render

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// escapeFor escapes v so that, placed in a literal of state st of the
// dialect, it cannot end that literal.
func escapeFor(dialect string, st litState, v string) (string, error) {
	switch st {
	case stNone:
		return v, nil
	case stDQ:
		if dialect == "kql" || dialect == "json" {
			return backslashEscape(v, '"', true, dialect == "json"), nil
		}
		return backslashEscape(v, '"', false, false), nil
	case stSQ:
		return backslashEscape(v, '\'', true, false), nil
	case stVerbDQ:
		return strings.ReplaceAll(oneLine(v), `"`, `""`), nil
	case stVerbSQ:
		return strings.ReplaceAll(oneLine(v), `'`, `''`), nil
	case stTriple:
		if strings.Contains(v, "```") {
			return "", fmt.Errorf("value contains ``` and cannot be placed inside a KQL ```...``` string")
		}
		return v, nil
	case stLineComment:
		return oneLine(v), nil
	case stBlockComment:
		// A comment's text does not matter, so every * and / gets
		// spaces round it: the value can neither end the comment nor
		// open a nested one (PostgreSQL and DuckDB nest them), not even
		// together with the template text next to it.
		if !strings.ContainsAny(v, "*/") {
			return v, nil
		}
		return strings.NewReplacer("*", " * ", "/", " / ").Replace(v), nil
	case stSQLSQ:
		if strings.IndexByte(v, 0) >= 0 {
			return "", fmt.Errorf("value contains a NUL character, which a SQL string cannot hold")
		}
		return strings.ReplaceAll(v, "'", "''"), nil
	case stSQLESQ, stSQLUSQ:
		// E'...' reads \' as a quote, so the backslash is doubled too;
		// in U&'...' a doubled backslash is one backslash as well.
		if strings.IndexByte(v, 0) >= 0 {
			return "", fmt.Errorf("value contains a NUL character, which a SQL string cannot hold")
		}
		return strings.NewReplacer(`\`, `\\`, "'", "''").Replace(v), nil
	case stDollar:
		// A dollar-quoted string has no escapes: a value holding $ could
		// end it (alone or with the template text next to it).
		if strings.IndexByte(v, '$') >= 0 {
			return "", fmt.Errorf("value contains $, and a dollar-quoted string has no escapes")
		}
		if strings.IndexByte(v, 0) >= 0 {
			return "", fmt.Errorf("value contains a NUL character, which a SQL string cannot hold")
		}
		return v, nil
	case stSQLIdent:
		if strings.IndexByte(v, 0) >= 0 {
			return "", fmt.Errorf("value contains a NUL character, which a SQL identifier cannot hold")
		}
		return strings.ReplaceAll(v, `"`, `""`), nil
	}
	return v, nil
}

func oneLine(v string) string {
	if !strings.ContainsAny(v, "\r\n") {
		return v
	}
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(v)
}

// backslashEscape escapes the backslash and quote q; with controls set it
// also writes control characters as escapes (\n, \t, \uXXXX).
func backslashEscape(v string, q byte, controls, jsonMode bool) string {
	need := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\\' || c == q || (controls && c < 0x20) || (jsonMode && c == 0x7f) {
			need = true
			break
		}
	}
	if !need {
		return v
	}
	var b strings.Builder
	b.Grow(len(v) + 8)
	for i := 0; i < len(v); {
		c := v[i]
		switch {
		case c == '\\' || c == q:
			b.WriteByte('\\')
			b.WriteByte(c)
		case controls && c == '\n':
			b.WriteString(`\n`)
		case controls && c == '\r':
			b.WriteString(`\r`)
		case controls && c == '\t':
			b.WriteString(`\t`)
		case controls && c < 0x20:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			if c < utf8.RuneSelf {
				b.WriteByte(c)
			} else {
				_, n := utf8.DecodeRuneInString(v[i:])
				b.WriteString(v[i : i+n])
				i += n
				continue
			}
		}
		i++
	}
	return b.String()
}

// quoteListItem quotes one string list item for the default list
// formatter: single quotes, with the quote escaped for the dialect.
func quoteListItem(dialect, s string) string {
	switch dialect {
	case "kql":
		return "'" + backslashEscape(s, '\'', true, false) + "'"
	case "sql":
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	return "'" + s + "'"
}
