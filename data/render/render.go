package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/msticgo/msticgo/registry"
)

// Param declares one query parameter.
type Param struct {
	Name        string
	Type        string // str, int, float, bool, list, datetime, dict (others act as str)
	Description string
	Default     any
	HasDefault  bool // a default key is present (its value may be nil)
	Aliases     []string
	Format      string // optional Python format template, e.g. "'{}'"
}

// Required reports whether the parameter must be supplied.
func (p Param) Required() bool { return !p.HasDefault || p.Default == nil }

// Known parameter types (MSTICPy's plus bool and dict).
var Types = []string{"str", "int", "float", "bool", "list", "datetime", "dict"}

// KnownType reports whether t is one of Types.
func KnownType(t string) bool {
	for _, k := range Types {
		if k == t {
			return true
		}
	}
	return false
}

// Style is how one environment's driver formats values (MSTICPy's driver
// "formatters") plus the dialect used to escape values in literals.
type Style struct {
	Dialect string
	// Datetime formats datetime values; nil = ISO (DateTime.ISO).
	Datetime func(DateTime) string
	// List formats list values; nil = the default formatter (strings
	// single-quoted, others as Python writes them, joined by ", ").
	List func(items []any, dialect string) string
	// Custom replaces substitution entirely (Cybereason's JSON handler).
	Custom func(template string, values map[string]any) (string, error)
	// Bind turns '{x}' SQL literals into bound parameters ($1, $2, ...).
	Bind bool
	// Placeholder writes the n-th (1-based) bind marker; nil = "$n".
	Placeholder func(n int) string
}

// Options are per-render settings.
type Options struct {
	Style Style
	// Now is the clock for relative times; zero = time.Now().
	Now time.Time
	// DefaultStart/End fill required start/end parameters that were not
	// given (MSTICPy's query_time). Nil = no default.
	DefaultStart, DefaultEnd *DateTime
}

// Rendered is a rendered query.
type Rendered struct {
	Text string
	Args []any // bound parameters, in order, for SQL drivers

	params []Param
	conv   []any
}

// Value is the converted value of a parameter (DateTime for datetime
// parameters, []any for lists, ...), or nil.
func (r *Rendered) Value(name string) any {
	for i, p := range r.params {
		if p.Name == name {
			return r.conv[i]
		}
	}
	return nil
}

// Values are the converted values by parameter name.
func (r *Rendered) Values() map[string]any {
	m := make(map[string]any, len(r.params))
	for i, p := range r.params {
		m[p.Name] = r.conv[i]
	}
	return m
}

// Prepared is a query template with its declared parameters, checked and
// ready to render many times. It is safe for concurrent use.
type Prepared struct {
	Template string
	Params   []Param
	byName   map[string]int
	byAlias  map[string]int
	mu       sync.Mutex
	compiled map[string]*Template
}

// Problem is a fault found when preparing a template.
type Problem struct {
	Field   string // e.g. "parameters.host_name.type", "args.query"
	Message string
}

func (p Problem) Error() string { return p.Field + ": " + p.Message }

// Prepare checks a template against its parameters: every placeholder
// must be declared; aliases must not clash. It returns the problems found
// (the Prepared value is usable only when there are none).
func Prepare(template string, params []Param) (*Prepared, []Problem) {
	p := &Prepared{Template: template, Params: params, byName: map[string]int{}, byAlias: map[string]int{}, compiled: map[string]*Template{}}
	var probs []Problem
	for i, pr := range params {
		p.byName[pr.Name] = i
	}
	for i, pr := range params {
		for _, a := range pr.Aliases {
			if a == "" || a == pr.Name {
				continue
			}
			if j, ok := p.byName[a]; ok && j != i {
				probs = append(probs, Problem{Field: "parameters." + pr.Name + ".aliases", Message: fmt.Sprintf("alias %q is also the name of parameter %q", a, a)})
				continue
			}
			if j, ok := p.byAlias[a]; ok && j != i {
				probs = append(probs, Problem{Field: "parameters." + pr.Name + ".aliases", Message: fmt.Sprintf("alias %q is also an alias of parameter %q", a, params[j].Name)})
				continue
			}
			p.byAlias[a] = i
		}
	}
	t := p.compile("", false)
	var missing []string
	for _, n := range t.Placeholders() {
		if _, ok := p.byName[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		probs = append(probs, Problem{Field: "args.query", Message: fmt.Sprintf("template uses undeclared parameters %s (declared: %s)", quoteList(missing), quoteList(p.names()))})
	}
	return p, probs
}

func (p *Prepared) names() []string {
	out := make([]string, 0, len(p.Params))
	for _, pr := range p.Params {
		out = append(out, pr.Name)
	}
	return out
}

func quoteList(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = strconv.Quote(x)
	}
	return strings.Join(q, ", ")
}

func (p *Prepared) compile(dialect string, bind bool) *Template {
	key := dialect
	if bind {
		key += "+bind"
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if t, ok := p.compiled[key]; ok {
		return t
	}
	t := Compile(p.Template, dialect, bind)
	p.compiled[key] = t
	return t
}

// NewPrepared is Prepare for a template already checked (e.g. read back
// from a cache): it indexes names and aliases and compiles nothing until
// the first render.
func NewPrepared(template string, params []Param) *Prepared {
	p := &Prepared{Template: template, Params: params, byName: make(map[string]int, len(params)), byAlias: map[string]int{}, compiled: map[string]*Template{}}
	for i, pr := range params {
		p.byName[pr.Name] = i
	}
	for i, pr := range params {
		for _, a := range pr.Aliases {
			if _, ok := p.byName[a]; ok || a == "" {
				continue
			}
			if _, ok := p.byAlias[a]; !ok {
				p.byAlias[a] = i
			}
		}
	}
	return p
}

// Param returns the parameter a name or alias refers to.
func (p *Prepared) Param(nameOrAlias string) (Param, bool) {
	if i, ok := p.byName[nameOrAlias]; ok {
		return p.Params[i], true
	}
	if i, ok := p.byAlias[nameOrAlias]; ok {
		return p.Params[i], true
	}
	return Param{}, false
}

// ParamError is a problem with the values given for a render.
type ParamError struct {
	Unknown []string // names that are neither parameters nor aliases
	Missing []string // required parameters without a value
	Param   string   // parameter of a conversion error
	Err     error
	valid   []string
	suggest string // the likely intended name for a single unknown one
}

// ErrParams is wrapped by every ParamError.
var ErrParams = errors.New("bad query parameters")

func (e *ParamError) Error() string {
	var parts []string
	if len(e.Unknown) > 0 {
		msg := fmt.Sprintf("unknown parameters %s", quoteList(e.Unknown))
		if e.suggest != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", e.suggest)
		}
		parts = append(parts, msg+fmt.Sprintf(" (valid: %s)", strings.Join(e.valid, ", ")))
	}
	if len(e.Missing) > 0 {
		parts = append(parts, fmt.Sprintf("no values found for these required parameters: %s", quoteList(e.Missing)))
	}
	if e.Err != nil {
		parts = append(parts, fmt.Sprintf("parameter %q: %v", e.Param, e.Err))
	}
	return strings.Join(parts, "; ")
}

func (e *ParamError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrParams, e.Err}
	}
	return []error{ErrParams}
}

// ValidNames lists parameter names with their aliases, for messages.
func (p *Prepared) ValidNames() []string {
	out := make([]string, 0, len(p.Params))
	for _, pr := range p.Params {
		s := pr.Name
		if len(pr.Aliases) > 0 {
			s += " (aliases: " + strings.Join(pr.Aliases, ", ") + ")"
		}
		out = append(out, s)
	}
	return out
}

// Resolve maps given names (parameter names or aliases) to parameter
// names. Unknown names are an error listing the valid names.
func (p *Prepared) Resolve(values map[string]any) (map[string]any, error) {
	vals, set, err := p.resolve(values)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(values))
	for i, ok := range set {
		if ok {
			out[p.Params[i].Name] = vals[i]
		}
	}
	return out, nil
}

func (p *Prepared) resolve(values map[string]any) ([]any, []bool, error) {
	vals := make([]any, len(p.Params))
	set := make([]bool, len(p.Params))
	var from []string
	var unknown []string
	for k, v := range values {
		i, ok := p.byName[k]
		if !ok {
			i, ok = p.byAlias[k]
		}
		if !ok {
			unknown = append(unknown, k)
			continue
		}
		if set[i] {
			if from == nil {
				from = make([]string, len(p.Params))
				for n := range values {
					if j, ok := p.byName[n]; ok {
						from[j] = n
					} else if j, ok := p.byAlias[n]; ok && from[j] == "" {
						from[j] = n
					}
				}
			}
			a, b := from[i], k
			if a == b {
				a = p.Params[i].Name
			}
			if a > b {
				a, b = b, a
			}
			return nil, nil, &ParamError{Param: p.Params[i].Name, Err: fmt.Errorf("given twice (as %q and %q)", a, b)}
		}
		set[i] = true
		vals[i] = v
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		pe := &ParamError{Unknown: unknown, valid: p.ValidNames()}
		if len(unknown) == 1 {
			var names []string
			for _, pr := range p.Params {
				names = append(names, pr.Name)
				names = append(names, pr.Aliases...)
			}
			pe.suggest = registry.Suggest(unknown[0], names)
		}
		return nil, nil, pe
	}
	return vals, set, nil
}

// Render renders the template with the given values (keys are parameter
// names or aliases).
func (p *Prepared) Render(values map[string]any, opt Options) (*Rendered, error) {
	given, set, err := p.resolve(values)
	if err != nil {
		return nil, err
	}
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	conv := given // converted in place
	var missing []string
	for i, pr := range p.Params {
		v, ok := given[i], set[i]
		if !ok || v == nil {
			if pr.HasDefault && pr.Default != nil {
				v, ok = pr.Default, true
			} else if pr.Type == "datetime" && pr.Name == "start" && opt.DefaultStart != nil {
				v, ok = *opt.DefaultStart, true
			} else if pr.Type == "datetime" && pr.Name == "end" && opt.DefaultEnd != nil {
				v, ok = *opt.DefaultEnd, true
			} else {
				ok = false
			}
		}
		if !ok {
			missing = append(missing, pr.Name)
			continue
		}
		if set[i] && !validText(v) {
			// it would reach the query text, the back end's errors and the
			// output; say which parameter (the bytes are not repeated)
			return nil, &ParamError{Param: pr.Name, Err: errors.New("value is not valid UTF-8 text")}
		}
		if str, isStr := v.(string); isStr && set[i] && pr.Required() && (pr.Type == "str" || pr.Type == "") && strings.TrimSpace(str) == "" {
			// MSTICPy accepts it, and the query then silently matches nothing
			return nil, &ParamError{Param: pr.Name, Err: errors.New("empty value: a required parameter needs a value")}
		}
		cv, err := Convert(pr.Type, v, now)
		if err != nil {
			return nil, &ParamError{Param: pr.Name, Err: err}
		}
		conv[i] = cv
	}
	if len(missing) > 0 {
		return nil, &ParamError{Missing: missing}
	}
	if err := p.checkWindow(conv); err != nil {
		return nil, err
	}
	out := &Rendered{params: p.Params, conv: conv}
	if opt.Style.Custom != nil {
		text, err := opt.Style.Custom(p.Template, out.Values())
		if err != nil {
			return nil, err
		}
		out.Text = text
		return out, nil
	}
	strs := make([]string, len(p.Params))
	for i, pr := range p.Params {
		s, err := formatValue(pr, conv[i], opt.Style)
		if err != nil {
			return nil, &ParamError{Param: pr.Name, Err: err}
		}
		strs[i] = s
	}
	t := p.compile(opt.Style.Dialect, opt.Style.Bind)
	var b strings.Builder
	b.Grow(t.size)
	for _, sg := range t.segs {
		if sg.ph == nil {
			b.WriteString(sg.lit)
			continue
		}
		ph := sg.ph
		i, ok := p.byName[ph.Name]
		if !ok {
			return nil, &ParamError{Param: ph.Name, Err: errors.New("placeholder is not a declared parameter")}
		}
		spec := ph.Spec
		if len(ph.nested) > 0 {
			var err error
			if spec, err = p.expandSpec(ph, conv); err != nil {
				return nil, &ParamError{Param: ph.Name, Err: err}
			}
		}
		s, err := applyField(ph, strs[i], spec)
		if err != nil {
			return nil, &ParamError{Param: ph.Name, Err: err}
		}
		if ph.bind {
			out.Args = append(out.Args, s)
			if opt.Style.Placeholder != nil {
				b.WriteString(opt.Style.Placeholder(len(out.Args)))
			} else {
				b.WriteByte('$')
				b.WriteString(strconv.Itoa(len(out.Args)))
			}
			continue
		}
		switch {
		case ph.afterEscape:
			return nil, &ParamError{Param: ph.Name, Err: fmt.Errorf("inside %s the template writes a backslash just before the value, which would escape the value's first character; write the backslash as \\\\ in the template or put it in the value", ph.state)}
		case ph.dollarNext:
			return nil, &ParamError{Param: ph.Name, Err: fmt.Errorf("inside %s the template puts $ or tag characters next to the value, which together could close the quote; leave a space between them", ph.state)}
		}
		s, err = escapeFor(t.Dialect, ph.state, s)
		if err != nil {
			return nil, &ParamError{Param: ph.Name, Err: fmt.Errorf("inside %s: %w", ph.state, err)}
		}
		b.WriteString(s)
	}
	out.Text = collapseBlankLines(b.String())
	return out, nil
}

// validText reports whether every string in v (list items and mapping
// keys and values too) is valid UTF-8.
func validText(v any) bool {
	switch x := v.(type) {
	case string:
		return utf8.ValidString(x)
	case []string:
		for _, s := range x {
			if !utf8.ValidString(s) {
				return false
			}
		}
	case []any:
		for _, it := range x {
			if !validText(it) {
				return false
			}
		}
	case map[string]any:
		for k, it := range x {
			if !utf8.ValidString(k) || !validText(it) {
				return false
			}
		}
	}
	return true
}

// checkWindow refuses a time window whose start is after its end (MSTICPy
// runs it and silently finds nothing).
func (p *Prepared) checkWindow(conv []any) error {
	var start, end *DateTime
	for i, pr := range p.Params {
		if dt, ok := conv[i].(DateTime); ok {
			switch pr.Name {
			case "start":
				start = &dt
			case "end":
				end = &dt
			}
		}
	}
	if start != nil && end != nil && start.T.After(end.T) {
		return &ParamError{Param: "start", Err: fmt.Errorf("%s is after end %s", start.ISO(), end.ISO())}
	}
	return nil
}

// expandSpec fills the nested fields of a format spec ({w} in {s:{w}})
// with the values' text, as Python does.
func (p *Prepared) expandSpec(ph *Placeholder, conv []any) (string, error) {
	var b strings.Builder
	spec := ph.Spec
	for {
		i := strings.IndexByte(spec, '{')
		if i < 0 {
			b.WriteString(spec)
			return b.String(), nil
		}
		j := strings.IndexByte(spec[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("%s: unclosed '{' in the format spec", ph.Raw)
		}
		name := spec[i+1 : i+j]
		k, ok := p.byName[name]
		if !ok {
			return "", fmt.Errorf("%s: %q is not a declared parameter", ph.Raw, name)
		}
		b.WriteString(spec[:i])
		b.WriteString(pyStr(conv[k]))
		spec = spec[i+j+1:]
	}
}

func applyField(ph *Placeholder, s, spec string) (string, error) {
	for _, i := range ph.Index {
		r := []rune(s)
		if i >= len(r) {
			return "", fmt.Errorf("%s: string index %d out of range", ph.Raw, i)
		}
		s = string(r[i])
	}
	switch ph.Conv {
	case 'r', 'a':
		s = pyReprString(s)
	}
	if spec != "" {
		return applySpec(s, spec)
	}
	return s, nil
}

// decimalRE is a plain decimal number, as every query language reads it.
var decimalRE = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$`)

// Convert reads a value for a parameter type: datetime → DateTime, list →
// []any (a string with commas is split and trimmed, as MSTICPy; an empty
// list, including a blank string or one of only commas, is an error), int/float/bool checked and normalised. Other types
// pass through.
func Convert(typ string, v any, now time.Time) (any, error) {
	switch typ {
	case "datetime":
		return ParseDateTime(v, now)
	case "list":
		return toList(v)
	case "int":
		switch x := v.(type) {
		case string:
			s := strings.TrimSpace(x)
			if _, err := strconv.ParseInt(s, 10, 64); err != nil {
				return nil, fmt.Errorf("want an integer, got %q", x)
			}
			return s, nil
		case bool:
			return nil, fmt.Errorf("want an integer, got %v", x)
		case json.Number:
			if _, err := x.Int64(); err != nil {
				return nil, fmt.Errorf("want an integer, got %s", x)
			}
			return x.String(), nil
		case float64:
			if x != math.Trunc(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("want an integer, got %v", x)
			}
			return strconv.FormatFloat(x, 'f', -1, 64), nil
		}
		if _, ok := toFloat(v); ok {
			return fmt.Sprint(v), nil
		}
		return nil, fmt.Errorf("want an integer, got a %T", v)
	case "float":
		switch x := v.(type) {
		case string:
			// only plain decimal numbers: nan, inf, 0x1p-2 and 1_000 are
			// read by Go (or Python) but not by the query languages
			s := strings.TrimSpace(x)
			if !decimalRE.MatchString(s) {
				return nil, fmt.Errorf("want a number, got %q", x)
			}
			if _, err := strconv.ParseFloat(s, 64); err != nil {
				return nil, fmt.Errorf("want a number, got %q (out of range)", x)
			}
			return s, nil
		case bool:
			return nil, fmt.Errorf("want a number, got %v", x)
		case json.Number:
			if !decimalRE.MatchString(x.String()) {
				return nil, fmt.Errorf("want a number, got %s", x)
			}
			return x.String(), nil
		}
		if f, ok := toFloat(v); ok {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, fmt.Errorf("want a finite number, got %v", pyStr(v))
			}
			return v, nil
		}
		return nil, fmt.Errorf("want a number, got a %T", v)
	case "bool":
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			b, err := strconv.ParseBool(strings.TrimSpace(x))
			if err != nil {
				return nil, fmt.Errorf("want true or false, got %q", x)
			}
			return b, nil
		}
		return nil, fmt.Errorf("want true or false, got a %T", v)
	case "dict":
		switch x := v.(type) {
		case map[string]any, string:
			return x, nil
		}
		return nil, fmt.Errorf("want a mapping, got a %T", v)
	}
	switch v.(type) {
	case []any, []string, map[string]any:
		return nil, fmt.Errorf("want a single value, got a %T (declare the parameter as type list)", v)
	}
	return v, nil
}

func toList(v any) ([]any, error) {
	var out []any
	switch x := v.(type) {
	case []any:
		out = x
	case []string:
		out = make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
	case []int:
		out = make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
	case string:
		if strings.Contains(x, ",") {
			for _, s := range strings.Split(x, ",") {
				out = append(out, strings.TrimSpace(s))
			}
		} else {
			out = []any{x}
		}
		blank := true
		for _, it := range out {
			blank = blank && strings.TrimSpace(it.(string)) == ""
		}
		if blank { // "" and "," are empty lists, like []
			out = nil
		}
	case map[string]any:
		return nil, errors.New("want a list, got a mapping")
	default:
		out = []any{v}
	}
	if len(out) == 0 {
		return nil, errors.New("empty list: give at least one value")
	}
	for _, it := range out {
		switch it.(type) {
		case []any, []string, map[string]any:
			return nil, fmt.Errorf("list items must be single values, got a %T", it)
		}
	}
	return out, nil
}

func formatValue(pr Param, v any, st Style) (string, error) {
	if pr.Format != "" {
		if pr.Type == "int" || pr.Type == "float" {
			if n, ok := numberValue(pr.Type, v); ok {
				return pyFormat(pr.Format, n)
			}
		}
		return pyFormat(pr.Format, v)
	}
	switch x := v.(type) {
	case DateTime:
		if st.Datetime != nil {
			return st.Datetime(x), nil
		}
		return x.ISO(), nil
	case []any:
		if st.List != nil {
			return st.List(x, st.Dialect), nil
		}
		return DefaultList(x, st.Dialect), nil
	}
	return pyStr(v), nil
}

// DefaultList is MSTICPy's default list formatter: string items
// single-quoted, other items as Python writes them, joined by ", ". The
// quote (and, for KQL, the backslash) inside an item is escaped for the
// dialect ("kql": \' ; "sql": ”); other dialects insert items unchanged.
func DefaultList(items []any, dialect string) string {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		if s, ok := it.(string); ok {
			b.WriteString(quoteListItem(dialect, s))
		} else {
			b.WriteString(pyStr(it))
		}
	}
	return b.String()
}

// pyFormat applies a parameter's format template (Python str.format with
// one positional value): "{}", "{0}", "{:spec}", "{{", "}}"; for datetimes
// the spec is a strftime pattern.
func pyFormat(tpl string, v any) (string, error) {
	var b strings.Builder
	for i := 0; i < len(tpl); {
		c := tpl[i]
		if c == '{' {
			if i+1 < len(tpl) && tpl[i+1] == '{' {
				b.WriteByte('{')
				i += 2
				continue
			}
			j := strings.IndexByte(tpl[i:], '}')
			if j < 0 {
				return "", fmt.Errorf("format %q: unclosed '{'", tpl)
			}
			field := tpl[i+1 : i+j]
			name, spec, _ := strings.Cut(field, ":")
			if name != "" && name != "0" {
				return "", fmt.Errorf("format %q: only {} or {0} may be used", tpl)
			}
			var s string
			if dt, ok := v.(DateTime); ok {
				if spec != "" {
					s = strftime(dt.T, spec)
				} else {
					s = dt.PyStr()
				}
			} else if n, ok := v.(number); ok {
				var err error
				if s, err = applyNumSpec(n, spec); err != nil {
					return "", err
				}
			} else {
				var str string
				if l, ok := v.([]any); ok {
					str = pyRepr(l)
				} else {
					str = pyStr(v)
				}
				var err error
				if s, err = applySpec(str, spec); err != nil {
					return "", err
				}
			}
			b.WriteString(s)
			i += j + 1
			continue
		}
		if c == '}' {
			if i+1 < len(tpl) && tpl[i+1] == '}' {
				i += 2
			} else {
				i++
			}
			b.WriteByte('}')
			continue
		}
		b.WriteByte(c)
		i++
	}
	return b.String(), nil
}

func strftime(t time.Time, f string) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			b.WriteString(t.Format("2006"))
		case 'm':
			b.WriteString(t.Format("01"))
		case 'd':
			b.WriteString(t.Format("02"))
		case 'H':
			b.WriteString(t.Format("15"))
		case 'M':
			b.WriteString(t.Format("04"))
		case 'S':
			b.WriteString(t.Format("05"))
		case 'f':
			fmt.Fprintf(&b, "%06d", t.Nanosecond()/1000)
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 'Z':
			b.WriteString(t.Format("MST"))
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'b':
			b.WriteString(t.Format("Jan"))
		case 'B':
			b.WriteString(t.Format("January"))
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'A':
			b.WriteString(t.Format("Monday"))
		case 'y':
			b.WriteString(t.Format("06"))
		case 's':
			b.WriteString(strconv.FormatInt(t.Unix(), 10))
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(f[i])
		}
	}
	return b.String()
}
