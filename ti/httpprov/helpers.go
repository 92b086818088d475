package httpprov

import (
	"encoding/base64"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// helper is one expression function with its typed signature; the table
// below is the only place helpers are declared, so expressions are checked
// against these types when a definition loads.
type helper struct {
	name  string
	sig   string
	doc   string
	fn    func(params ...any) (any, error)
	types []any
}

var helpers = []helper{
	{
		name: "b64url", sig: "b64url(s string) string",
		doc: "unpadded base64url encoding (VirusTotal v3 URL identifiers)",
		fn: func(p ...any) (any, error) {
			return base64.RawURLEncoding.EncodeToString([]byte(p[0].(string))), nil
		},
		types: []any{new(func(string) string)},
	},
	{
		name: "num", sig: "num(v any) float",
		doc: "a JSON number as a float; anything else (nil, strings, lists) is 0",
		fn: func(p ...any) (any, error) {
			f, _ := asFloat(p[0])
			return f, nil
		},
		types: []any{new(func(any) float64)},
	},
	{
		name: "isnum", sig: "isnum(v any) bool",
		doc: "whether v is a JSON number",
		fn: func(p ...any) (any, error) {
			_, ok := asFloat(p[0])
			return ok, nil
		},
		types: []any{new(func(any) bool)},
	},
	{
		name: "need", sig: "need(v any, what string) any",
		doc: "v itself, or an error (the item becomes \"unexpected response\" naming what) when v is nil",
		fn: func(p ...any) (any, error) {
			if p[0] == nil {
				return nil, fmt.Errorf("missing %s", p[1].(string))
			}
			return p[0], nil
		},
		types: []any{new(func(any, string) any)},
	},
	{
		name: "get", sig: "get(v any, path string) any",
		doc: "the value at a dotted path (\"a.b.0.c\": map keys and list indexes), nil when any step is missing",
		fn: func(p ...any) (any, error) {
			return getPath(p[0], p[1].(string)), nil
		},
		types: []any{new(func(any, string) any)},
	},
	{
		name: "pluck", sig: "pluck(list any, key string) []any",
		doc: "the key's value of every map in a list (missing keys skipped)",
		fn: func(p ...any) (any, error) {
			list, _ := p[0].([]any)
			out := make([]any, 0, len(list))
			for _, e := range list {
				if m, ok := e.(map[string]any); ok {
					if v, ok := m[p[1].(string)]; ok && v != nil {
						out = append(out, v)
					}
				}
			}
			return out, nil
		},
		types: []any{new(func(any, string) []any)},
	},
	{
		name: "pick", sig: "pick(m any, keys ...string) map",
		doc: "a map with only the named keys of m (missing keys become nil)",
		fn: func(p ...any) (any, error) {
			m, _ := p[0].(map[string]any)
			out := make(map[string]any, len(p)-1)
			for _, k := range p[1:] {
				out[k.(string)] = m[k.(string)]
			}
			return out, nil
		},
		types: []any{new(func(any, ...string) map[string]any)},
	},
	{
		name: "strip_query", sig: "strip_query(u string) string",
		doc: "the URL without its query string and fragment",
		fn: func(p ...any) (any, error) {
			return stripQuery(p[0].(string)), nil
		},
		types: []any{new(func(string) string)},
	},
	{
		name: "path_escape", sig: "path_escape(s string) string",
		doc: "url.PathEscape (one path segment)",
		fn: func(p ...any) (any, error) {
			return url.PathEscape(p[0].(string)), nil
		},
		types: []any{new(func(string) string)},
	},
	{
		name: "query_escape", sig: "query_escape(s string) string",
		doc: "url.QueryEscape",
		fn: func(p ...any) (any, error) {
			return url.QueryEscape(p[0].(string)), nil
		},
		types: []any{new(func(string) string)},
	},
	{
		name: "str", sig: "str(v any) string",
		doc: "v as text: strings as-is, integral numbers without decimals, nil as \"\"",
		fn: func(p ...any) (any, error) {
			return asText(p[0]), nil
		},
		types: []any{new(func(any) string)},
	},
	{
		name: "days_since", sig: "days_since(ts any) float",
		doc: "days from a timestamp (RFC 3339, \"YYYY-MM-DD HH:MM:SS\", \"YYYY-MM-DD\", or epoch seconds) to now; +Inf when unreadable",
		fn: func(p ...any) (any, error) {
			t, ok := parseTime(p[0])
			if !ok {
				return math.Inf(1), nil
			}
			return time.Since(t).Hours() / 24, nil
		},
		types: []any{new(func(any) float64)},
	},
	{
		name: "severity_of", sig: "severity_of(score any, warning float, high float) string",
		doc: "\"high\" when score >= high, \"warning\" when >= warning, else \"information\"; an error when score is not a number",
		fn: func(p ...any) (any, error) {
			f, ok := asFloat(p[0])
			if !ok {
				return nil, fmt.Errorf("score is %s, not a number", describe(p[0]))
			}
			switch {
			case f >= p[2].(float64):
				return "high", nil
			case f >= p[1].(float64):
				return "warning", nil
			}
			return "information", nil
		},
		types: []any{new(func(any, float64, float64) string)},
	},
}

func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}

func asText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}

func getPath(v any, path string) any {
	if path == "" {
		return v
	}
	for _, step := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[step]
		case []any:
			i, err := strconv.Atoi(step)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func stripQuery(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}

func parseTime(v any) (time.Time, bool) {
	switch x := v.(type) {
	case float64:
		if x > 1e12 { // milliseconds
			x /= 1000
		}
		return time.Unix(int64(x), 0).UTC(), true
	case string:
		s := strings.TrimSpace(x)
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05", "2006-01-02"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
}
