package httpprov

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

// reservedVars are template variables filled per item, not from settings.
var reservedVars = map[string]bool{"observable": true, "ioc_type": true, "sub_type": true}

// templateFilters transform a substituted value: {observable|b64url}.
var templateFilters = map[string]func(string) string{
	// b64url: unpadded base64url, VirusTotal v3's URL identifier.
	"b64url": func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) },
	"b64":    func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
	"lower":  strings.ToLower,
	"upper":  strings.ToUpper,
	// urlquery: query-escape inside a value that is otherwise sent raw (headers).
	"urlquery": url.QueryEscape,
	// raw: in a path, insert the value without path escaping.
	"raw": func(s string) string { return s },
}

type tpart struct {
	lit     string
	name    string
	filters []func(string) string
	raw     bool
}

// tmpl is a compiled "{name|filter}" template.
type tmpl struct {
	src   string
	parts []tpart
	vars  []string
}

type renderVars struct {
	observable, iocType, subType string
	settings                     map[string]string
}

func (v *renderVars) get(name string) string {
	switch name {
	case "observable":
		return v.observable
	case "ioc_type":
		return v.iocType
	case "sub_type":
		return v.subType
	}
	return v.settings[name]
}

// parseTemplate compiles s; "{{" and "}}" are literal braces.
func parseTemplate(s string, known map[string]bool) (*tmpl, error) {
	t := &tmpl{src: s}
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '{' && i+1 < len(s) && s[i+1] == '{':
			lit.WriteByte('{')
			i++
		case c == '}' && i+1 < len(s) && s[i+1] == '}':
			lit.WriteByte('}')
			i++
		case c == '}':
			return nil, fmt.Errorf("template %q: unmatched '}' (write '}}' for a literal brace)", s)
		case c == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("template %q: unclosed '{'", s)
			}
			body := s[i+1 : i+end]
			i += end
			fields := strings.Split(body, "|")
			name := strings.TrimSpace(fields[0])
			if !known[name] {
				return nil, fmt.Errorf("template %q: unknown variable {%s} (known: %s)", s, name, strings.Join(sortedKeys(known), ", "))
			}
			p := tpart{name: name}
			for _, f := range fields[1:] {
				f = strings.TrimSpace(f)
				fn, ok := templateFilters[f]
				if !ok {
					return nil, fmt.Errorf("template %q: unknown filter %q (known: %s)", s, f, strings.Join(sortedKeys(templateFilters), ", "))
				}
				if f == "raw" {
					p.raw = true
				}
				p.filters = append(p.filters, fn)
			}
			if lit.Len() > 0 {
				t.parts = append(t.parts, tpart{lit: lit.String()})
				lit.Reset()
			}
			t.parts = append(t.parts, p)
			t.vars = append(t.vars, name)
		default:
			lit.WriteByte(c)
		}
	}
	if lit.Len() > 0 {
		t.parts = append(t.parts, tpart{lit: lit.String()})
	}
	return t, nil
}

// render substitutes variables; with pathEscape each substituted value is
// escaped once with url.PathEscape (unless it carries the raw filter).
func (t *tmpl) render(v *renderVars, pathEscape bool) string {
	if len(t.parts) == 1 && t.parts[0].name == "" {
		return t.parts[0].lit
	}
	var b strings.Builder
	for _, p := range t.parts {
		if p.name == "" {
			b.WriteString(p.lit)
			continue
		}
		val := v.get(p.name)
		for _, f := range p.filters {
			val = f(val)
		}
		if pathEscape && !p.raw {
			val = url.PathEscape(val)
		}
		b.WriteString(val)
	}
	return b.String()
}

// usesOnlyUnset reports whether the template has variables and all of them
// are empty (an optional header such as GreyNoise's key is then omitted).
func (t *tmpl) usesOnlyUnset(v *renderVars) bool {
	if len(t.vars) == 0 {
		return false
	}
	for _, n := range t.vars {
		if v.get(n) != "" {
			return false
		}
	}
	return true
}

type kvTmpl struct {
	key string
	val *tmpl
}

// Env is the typed environment result rules are compiled against.
type Env struct {
	// Response is the decoded JSON body (maps, lists, float64, string, bool,
	// nil); for mode list, the matching entry (a map) or nil.
	Response any `expr:"response"`
	// Status is the HTTP status code (200 for list entries).
	Status int `expr:"status"`
	// Observable is the value that was sent (SafeIoc).
	Observable string `expr:"observable"`
	// IocType and SubType name the query that ran.
	IocType string `expr:"ioc_type"`
	SubType string `expr:"sub_type"`
	// Headers are the response headers, canonical names, first values.
	Headers map[string]string `expr:"headers"`
	// URL is the request URL without its query string, secrets removed.
	URL string `expr:"url"`
	// BaseURL is the effective base URL.
	BaseURL string `expr:"base_url"`
}

type rules struct {
	expect, errRule, notFound, found, severity, details, reference *vm.Program
	src                                                            RuleSpec
}

type compiledQuery struct {
	key     string
	iocType string
	subType string
	method  string
	path    *tmpl
	params  []kvTmpl
	headers []kvTmpl
	form    []kvTmpl
	body    any // JSON-able tree with *tmpl leaves, or nil
	rules   *rules
}

type compiledDef struct {
	base      *tmpl
	headers   []kvTmpl
	params    []kvTmpl
	basicUser *tmpl
	basicPass *tmpl
	queries   map[string]*compiledQuery
	listRules *rules
	listSrc   []*tmpl
}

// compile compiles every template and expression of d, recording each
// problem on p (the result is only used when p has none).
func compile(p *parser, d *Definition) *compiledDef {
	known := map[string]bool{}
	for k := range reservedVars {
		known[k] = true
	}
	settingNames := map[string]bool{}
	for _, s := range d.Settings {
		known[s.Name] = true
		settingNames[s.Name] = true
	}
	c := &compiledDef{queries: map[string]*compiledQuery{}}
	var err error
	if d.BaseURL != "" {
		if c.base, err = parseTemplate(d.BaseURL, settingNames); err != nil {
			p.add(p.errf(p.line("base_url"), "base_url", "%v (only settings may appear in base_url)", err))
		}
	}
	c.headers = compileKVs(p, d.Headers, known, "headers")
	c.params = compileKVs(p, d.Params, known, "params")
	if d.BasicAuth != nil {
		if c.basicUser, err = parseTemplate(d.BasicAuth.Username, known); err != nil {
			p.add(p.errf(p.line("basic_auth", "username"), "basic_auth.username", "%v", err))
		}
		if c.basicPass, err = parseTemplate(d.BasicAuth.Password, known); err != nil {
			p.add(p.errf(p.line("basic_auth", "password"), "basic_auth.password", "%v", err))
		}
	}
	cache := map[string]*vm.Program{}
	if d.Mode == "list" {
		if d.List == nil { // reported by check
			return c
		}
		for i, s := range d.List.Sources {
			src := s.URL
			if src == "" {
				src = s.Path
			}
			t, err := parseTemplate(src, settingNames)
			if err != nil {
				p.add(p.errf(p.line("list", "sources"), fmt.Sprintf("list.sources[%d]", i), "%v", err))
				continue
			}
			c.listSrc = append(c.listSrc, t)
		}
		c.listRules = compileRules(p, d.Result, RuleSpec{}, []string{"result"}, cache)
		return c
	}
	for _, key := range sortedKeys(d.Queries) {
		q := d.Queries[key]
		if q == nil { // reported by check
			continue
		}
		cq := &compiledQuery{key: key, method: q.Method}
		cq.iocType, cq.subType, _ = strings.Cut(key, "-")
		if cq.path, err = parseTemplate(q.Path, known); err != nil {
			p.add(p.errf(p.line("queries", key, "path"), "queries."+key+".path", "%v", err))
		}
		merged := map[string]string{}
		for k, v := range d.Params {
			merged[k] = v
		}
		for k, v := range q.Params {
			merged[k] = v
		}
		cq.params = compileKVs(p, merged, known, "queries", key, "params")
		cq.headers = compileKVs(p, q.Headers, known, "queries", key, "headers")
		cq.form = compileKVs(p, q.Form, known, "queries", key, "form")
		if q.Body.Kind != 0 {
			var raw any
			if err := q.Body.Decode(&raw); err != nil {
				p.add(p.errf(q.Body.Line, "queries."+key+".body", "%v", err))
			} else if cq.body, err = compileBody(raw, known); err != nil {
				p.add(p.errf(q.Body.Line, "queries."+key+".body", "%v", err))
			}
		}
		cq.rules = compileRules(p, q.Result, d.Result, []string{"queries", key, "result"}, cache)
		c.queries[key] = cq
	}
	return c
}

func compileKVs(p *parser, m map[string]string, known map[string]bool, path ...string) []kvTmpl {
	out := make([]kvTmpl, 0, len(m))
	for _, k := range sortedKeys(m) {
		t, err := parseTemplate(m[k], known)
		if err != nil {
			full := append(append([]string{}, path...), k)
			p.add(p.errf(p.line(full...), strings.Join(full, "."), "%v", err))
			continue
		}
		out = append(out, kvTmpl{key: k, val: t})
	}
	return out
}

func compileBody(v any, known map[string]bool) (any, error) {
	switch x := v.(type) {
	case string:
		return parseTemplate(x, known)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			c, err := compileBody(e, known)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, err := compileBody(e, known)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	return v, nil
}

func renderBody(v any, rv *renderVars) any {
	switch x := v.(type) {
	case *tmpl:
		return x.render(rv, false)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = renderBody(e, rv)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = renderBody(e, rv)
		}
		return out
	}
	return v
}

func exprOptions() []expr.Option {
	opts := []expr.Option{expr.Env(Env{}), expr.Optimize(true)}
	for _, h := range helpers {
		opts = append(opts, expr.Function(h.name, h.fn, h.types...))
	}
	return opts
}

var baseExprOptions = exprOptions()

func compileRules(p *parser, spec, fallback RuleSpec, path []string, cache map[string]*vm.Program) *rules {
	pick := func(a, b string) string {
		if strings.TrimSpace(a) != "" {
			return a
		}
		return b
	}
	m := RuleSpec{
		Expect: pick(spec.Expect, fallback.Expect), Error: pick(spec.Error, fallback.Error),
		NotFound: pick(spec.NotFound, fallback.NotFound), Found: pick(spec.Found, fallback.Found),
		Severity: pick(spec.Severity, fallback.Severity), Details: pick(spec.Details, fallback.Details),
		Reference: pick(spec.Reference, fallback.Reference),
	}
	r := &rules{src: m}
	type one struct {
		name string
		src  string
		own  string // the query-level text, for the line number
		kind reflect.Kind
		dst  **vm.Program
	}
	for _, o := range []one{
		{"expect", m.Expect, spec.Expect, reflect.Bool, &r.expect},
		{"error", m.Error, spec.Error, reflect.String, &r.errRule},
		{"not_found", m.NotFound, spec.NotFound, reflect.Bool, &r.notFound},
		{"found", m.Found, spec.Found, reflect.Bool, &r.found},
		{"severity", m.Severity, spec.Severity, reflect.Invalid, &r.severity},
		{"details", m.Details, spec.Details, reflect.Invalid, &r.details},
		{"reference", m.Reference, spec.Reference, reflect.String, &r.reference},
	} {
		if strings.TrimSpace(o.src) == "" {
			continue
		}
		ck := fmt.Sprint(o.kind) + "\x00" + o.src
		if prog, ok := cache[ck]; ok {
			*o.dst = prog
			continue
		}
		opts := baseExprOptions
		switch o.kind {
		case reflect.Bool:
			opts = append(opts[:len(opts):len(opts)], expr.AsBool())
		case reflect.String:
			opts = append(opts[:len(opts):len(opts)], expr.AsKind(reflect.String))
		}
		prog, err := expr.Compile(o.src, opts...)
		if err != nil {
			lpath := path
			if strings.TrimSpace(o.own) == "" {
				lpath = []string{"result"}
			}
			full := append(append([]string{}, lpath...), o.name)
			p.add(p.errf(p.line(full...), strings.Join(full, "."), "expression does not compile: %s", oneLine(err.Error())))
			continue
		}
		cache[ck] = prog
		*o.dst = prog
	}
	return r
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.Join(strings.Fields(s), " ")
}

// HelperDocs lists the expression helpers with their signatures, for docs.
func HelperDocs() []string {
	out := make([]string, 0, len(helpers))
	for _, h := range helpers {
		out = append(out, h.sig+": "+h.doc)
	}
	sort.Strings(out)
	return out
}
