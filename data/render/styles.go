package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/msticgo/msticgo/data/dataenv"
)

// StyleFor returns the value style MSTICPy's driver for an environment
// uses (its "formatters"), with the environment's dialect. Unknown
// environments get the default style with no escaping dialect.
func StyleFor(env string) Style {
	e, _ := dataenv.Lookup(env)
	st := Style{Dialect: e.Dialect}
	switch e.Name {
	case "Splunk":
		st.Datetime = SplunkDatetime
		st.List = SplunkList
	case "Cybereason":
		st.Custom = CybereasonJSON
	}
	return st
}

// SplunkDatetime is the Splunk driver's datetime formatter: the ISO form
// with a space separator, double-quoted (a zone-less value has no suffix).
func SplunkDatetime(d DateTime) string {
	return `"` + d.isoSep(' ', false) + `"`
}

// SplunkList is the Splunk driver's list formatter: every item (numbers
// too) double-quoted, joined by "," without spaces. Quotes and
// backslashes in items are escaped (MSTICPy does not).
func SplunkList(items []any, _ string) string {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(backslashEscape(pyStr(it), '"', false, false))
		b.WriteByte('"')
	}
	return b.String()
}

// CybereasonJSON is the Cybereason driver's handler: the template is JSON;
// a string that is exactly "{name}" becomes the value as JSON (a list
// parameter inside an array is spliced into it, a datetime becomes epoch
// milliseconds); "{name}" inside a longer string is replaced by the text
// form. The result is written as Python's json.dumps does.
// Unlike MSTICPy, integer list items are kept (MSTICPy drops them).
func CybereasonJSON(template string, values map[string]any) (string, error) {
	dec := json.NewDecoder(strings.NewReader(template))
	dec.UseNumber()
	v, err := readOrdered(dec)
	if err != nil {
		return "", fmt.Errorf("Cybereason query template is not valid JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", fmt.Errorf("Cybereason query template has text after the JSON value")
	}
	v, _ = cyReplace(v, values, false)
	var b bytes.Buffer
	writePyJSON(&b, v)
	return b.String(), nil
}

type orderedObj struct {
	keys []string
	vals []any
}

func readOrdered(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &orderedObj{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := readOrdered(dec)
				if err != nil {
					return nil, err
				}
				o.keys = append(o.keys, k)
				o.vals = append(o.vals, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return o, nil
		case '[':
			var arr []any
			for dec.More() {
				v, err := readOrdered(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			if arr == nil {
				arr = []any{}
			}
			return arr, nil
		}
	}
	return tok, nil
}

// spliced marks a list value to be spliced into its parent array.
type spliced []any

func cyValue(v any) any {
	switch x := v.(type) {
	case DateTime:
		return json.Number(strconv.FormatInt(x.T.UnixMilli(), 10))
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = cyValue(it)
		}
		return out
	case string, bool, nil, json.Number:
		return x
	case float64:
		return json.Number(pyFloat(x))
	}
	if _, ok := toFloat(v); ok {
		return json.Number(fmt.Sprint(v))
	}
	return pyStr(v)
}

func cyReplace(v any, values map[string]any, inArray bool) (any, bool) {
	switch x := v.(type) {
	case *orderedObj:
		for i := range x.vals {
			x.vals[i], _ = cyReplace(x.vals[i], values, false)
		}
		return x, false
	case []any:
		var out []any
		for _, it := range x {
			r, splice := cyReplace(it, values, true)
			if splice {
				out = append(out, r.(spliced)...)
			} else {
				out = append(out, r)
			}
		}
		if out == nil {
			out = []any{}
		}
		return out, false
	case string:
		if len(x) > 2 && x[0] == '{' && x[len(x)-1] == '}' {
			if val, ok := values[x[1:len(x)-1]]; ok {
				cv := cyValue(val)
				if l, ok := cv.([]any); ok && inArray {
					return spliced(l), true
				}
				return cv, false
			}
		}
		if strings.Contains(x, "{") {
			t := Compile(x, "", false)
			var b strings.Builder
			for _, sg := range t.segs {
				if sg.ph == nil {
					b.WriteString(sg.lit)
				} else if val, ok := values[sg.ph.Name]; ok {
					if d, ok := val.(DateTime); ok {
						b.WriteString(d.ISO())
					} else if l, ok := val.([]any); ok {
						b.WriteString(DefaultList(l, ""))
					} else {
						b.WriteString(pyStr(val))
					}
				} else {
					b.WriteString(sg.ph.Raw)
				}
			}
			return b.String(), false
		}
	}
	return v, false
}

// writePyJSON writes JSON as Python's json.dumps with default settings
// (", " and ": " separators, non-ASCII as \uXXXX).
func writePyJSON(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case *orderedObj:
		b.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			writePyString(b, k)
			b.WriteString(": ")
			writePyJSON(b, x.vals[i])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, it := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writePyJSON(b, it)
		}
		b.WriteByte(']')
	case string:
		writePyString(b, x)
	case json.Number:
		b.WriteString(x.String())
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case nil:
		b.WriteString("null")
	default:
		writePyString(b, fmt.Sprint(x))
	}
}

func writePyString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20 || (r >= 0x7f && r <= 0xffff) || r == utf8.RuneError:
			if r < 0x7f {
				fmt.Fprintf(b, `\u%04x`, r)
			} else {
				fmt.Fprintf(b, `\u%04x`, r)
			}
		case r > 0xffff:
			r -= 0x10000
			fmt.Fprintf(b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}
