// Package httpprov owns the declarative HTTP provider engine: a TI or
// context provider described in YAML (base URL, settings, queries per
// indicator type, limits and expr-lang result rules) is parsed and checked
// once at load time, then served as a lookup.Provider. The built-in
// providers (ti/builtin) and plugin files use exactly the same code:
// LoadDefinition or ParseDefinition, then (*Definition).Registration.
package httpprov

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/msticgo/msticgo/internal/yamlpos"

	"github.com/msticgo/msticgo/registry"
)

// DefaultMaxResponseSize caps a response body when a definition sets none.
const DefaultMaxResponseSize = 10 << 20

// DefaultTimeout is the per-call timeout when neither the definition nor the
// caller's context sets one.
const DefaultTimeout = 30 * time.Second

// Definition is a parsed, checked provider definition. Build one with
// ParseDefinition or LoadDefinition; the zero value is not usable.
type Definition struct {
	File string // where it was read from (for messages)

	Kind        registry.Kind
	Name        string
	Aliases     []string
	Description string
	Version     string
	Mode        string // "http" or "list"
	BaseURL     string
	Settings    []Setting
	Headers     map[string]string
	Params      map[string]string
	BasicAuth   *BasicAuth
	Limits      LimitsSpec
	TypeAliases map[string]string
	Queries     map[string]*Query
	Result      RuleSpec
	StatusMap   map[int]string
	List        *ListSpec
	Types       []string // mode list: the types it answers
	Docs        string
	ExampleIoC  map[string]string
	// Override lets a plugin definition replace a built-in of the same
	// name (reported in listings); it has no effect on built-ins.
	Override bool

	compiled *compiledDef
}

// Setting is one entry of a provider's config Args.
type Setting struct {
	Name        string `yaml:"name"`
	Required    bool   `yaml:"required"`
	Secret      bool   `yaml:"secret"`
	Default     string `yaml:"default"`
	Description string `yaml:"description"`
}

// BasicAuth sends HTTP Basic credentials rendered from settings.
type BasicAuth struct {
	Username string `yaml:"username"`
	Password string `yaml:"password"`
}

// LimitsSpec are the declared limits, as written.
type LimitsSpec struct {
	PerSecond       float64 `yaml:"per_second"`
	PerMinute       float64 `yaml:"per_minute"`
	Burst           int     `yaml:"burst"`
	DailyQuota      int     `yaml:"daily_quota"`
	Concurrency     int     `yaml:"concurrency"`
	Timeout         string  `yaml:"timeout"`
	MaxResponseSize string  `yaml:"max_response_size"`
	Retries         int     `yaml:"retries"`
	MaxBatch        int     `yaml:"max_batch"`

	timeout time.Duration
	maxSize int64
}

// Query is how one indicator type (or type-subtype) is asked.
type Query struct {
	Path    string            `yaml:"path"`
	Method  string            `yaml:"method"`
	Params  map[string]string `yaml:"params"`
	Headers map[string]string `yaml:"headers"`
	Form    map[string]string `yaml:"form"`
	Body    yaml.Node         `yaml:"body"`
	Result  RuleSpec          `yaml:"result"`
}

// RuleSpec holds the expr-lang rules that read an answer. Every field is an
// expression over the typed environment (see Env); empty fields fall back to
// the definition-level rules, then to defaults.
type RuleSpec struct {
	Expect    string `yaml:"expect"`    // bool: the body has the documented shape
	Error     string `yaml:"error"`     // string: a non-empty value is a provider error
	NotFound  string `yaml:"not_found"` // bool: the provider answered "nothing known"
	Found     string `yaml:"found"`     // bool
	Severity  string `yaml:"severity"`  // string name or int (-1..2)
	Details   string `yaml:"details"`   // any
	Reference string `yaml:"reference"` // string URL for a human
}

// ListSpec configures mode: list (a downloaded list answering lookups).
type ListSpec struct {
	Sources []ListSource `yaml:"sources"`
	TTL     string       `yaml:"ttl"`
	Key     string       `yaml:"key"` // ip | lower | exact

	ttl time.Duration
}

// ListSource is one list to download; later sources are fallbacks used when
// an earlier one fails or yields no entries.
type ListSource struct {
	URL    string `yaml:"url"`    // absolute URL (not moved by BaseURL)
	Path   string `yaml:"path"`   // or a path under base_url
	Format string `yaml:"format"` // lines | stanzas
	// stanzas: Start begins a record, Emit lines give keys (first token);
	// every other "Key value" line stores Key = first token of value.
	Start string `yaml:"start"`
	Emit  string `yaml:"emit"`
}

// rawDef mirrors the YAML file for strict decoding.
type rawDef struct {
	Kind         string               `yaml:"kind"`
	ProviderName string               `yaml:"provider_name"`
	Aliases      []string             `yaml:"aliases"`
	Description  string               `yaml:"description"`
	Version      string               `yaml:"version"`
	Mode         string               `yaml:"mode"`
	BaseURL      string               `yaml:"base_url"`
	Settings     []Setting            `yaml:"settings"`
	Headers      map[string]string    `yaml:"headers"`
	Params       map[string]string    `yaml:"params"`
	BasicAuth    *BasicAuth           `yaml:"basic_auth"`
	Limits       LimitsSpec           `yaml:"limits"`
	TypeAliases  map[string]string    `yaml:"type_aliases"`
	Queries      map[string]*Query    `yaml:"queries"`
	Result       RuleSpec             `yaml:"result"`
	StatusMap    map[int]string       `yaml:"status_map"`
	List         *ListSpec            `yaml:"list"`
	Types        []string             `yaml:"types"`
	Docs         string               `yaml:"docs"`
	Examples     map[string]string    `yaml:"examples"`
	Override     bool                 `yaml:"override"`
	Extra        map[string]yaml.Node `yaml:",inline"`
}

// DefinitionError is a load error naming the file, line and key.
type DefinitionError struct {
	File string
	Line int
	Key  string
	Err  error
}

func (e *DefinitionError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Key != "" {
		b.WriteString(": ")
		b.WriteString(e.Key)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *DefinitionError) Unwrap() error { return e.Err }

// ErrDefinition is wrapped by every DefinitionError's chain users can branch on.
var ErrDefinition = errors.New("invalid provider definition")

// LoadDefinition reads and checks a definition file.
func LoadDefinition(path string) (*Definition, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("provider definition: %w", err)
	}
	return ParseDefinition(path, data)
}

// knownTypes are the indicator types a query key may name (ioc package
// names plus cidr and the free-form context types).
var knownTypes = map[string]bool{
	"ipv4": true, "ipv6": true, "dns": true, "url": true, "md5_hash": true,
	"sha1_hash": true, "sha256_hash": true, "file_hash": true, "email": true,
	"windows_path": true, "linux_path": true, "hostname": true, "cidr": true,
	"user": true, "asn": true,
}

var nameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]*$`)

// ParseDefinition parses and checks a definition; name is used in messages
// (a file path for plugins, "builtin/x.yaml" for built-ins). Every template
// and expression is compiled here, so a definition that loads cannot fail
// later for reasons of its own text.
func ParseDefinition(name string, data []byte) (*Definition, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		line, msg := yamlpos.Locate(data, err)
		return nil, &DefinitionError{File: name, Line: line, Err: fmt.Errorf("%w: %s", ErrDefinition, msg)}
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, &DefinitionError{File: name, Err: fmt.Errorf("%w: empty file", ErrDefinition)}
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return nil, &DefinitionError{File: name, Line: doc.Line, Err: fmt.Errorf("%w: want a mapping at the top level", ErrDefinition)}
	}
	var raw rawDef
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	p := &parser{file: name, root: doc}
	if err := dec.Decode(&raw); err != nil {
		// A decode error hides nothing else: every one is reported, and the
		// keys that did decode are still checked.
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, yamlErr(name, err, &root)
		}
		for _, msg := range te.Errors {
			e := yamlErr(name, errors.New(msg), &root)
			p.decodeKeys = append(p.decodeKeys, e.(*DefinitionError).Key)
			p.errs = append(p.errs, e)
		}
	}
	for _, k := range sortedKeys(raw.Extra) {
		p.add(p.errf(p.line(k), k, "unknown key (known: kind, provider_name, aliases, description, version, mode, base_url, settings, headers, params, basic_auth, limits, type_aliases, queries, result, status_map, list, types, docs, examples, override)"))
	}
	d := &Definition{
		File: name, Name: strings.TrimSpace(raw.ProviderName), Aliases: raw.Aliases,
		Description: raw.Description, Version: raw.Version, Mode: raw.Mode,
		BaseURL: strings.TrimSpace(raw.BaseURL), Settings: raw.Settings,
		Headers: raw.Headers, Params: raw.Params, BasicAuth: raw.BasicAuth,
		Limits: raw.Limits, TypeAliases: raw.TypeAliases, Queries: raw.Queries,
		Result: raw.Result, StatusMap: raw.StatusMap, List: raw.List, Types: raw.Types, Docs: raw.Docs,
		ExampleIoC: raw.Examples, Override: raw.Override,
	}
	p.check(d, raw.Kind)
	c := compile(p, d)
	if err := p.err(); err != nil {
		return nil, err
	}
	d.compiled = c
	return d, nil
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

var (
	yamlFieldRE = regexp.MustCompile(`field (\S+) not found in type \S+`)
	yamlTypeRE  = regexp.MustCompile("cannot unmarshal !!(\\w+)(?: `([^`]*)`)? into (\\S+)")
)

// yamlErr turns a YAML error into a DefinitionError with the line and, when
// the document parsed, the key path at that line, phrased without Go type
// names. ParseDefinition calls it once per decode error (yaml.TypeError
// lists them all); for an error holding several, the first is kept.
func yamlErr(file string, err error, root *yaml.Node) error {
	text := strings.TrimPrefix(err.Error(), "yaml: ")
	text = strings.TrimPrefix(text, "unmarshal errors:\n")
	text = strings.TrimSpace(text)
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		text = text[:i]
	}
	line := 0
	if m := yamlLineRE.FindStringSubmatch(text); m != nil {
		line, _ = strconv.Atoi(m[1])
		text = strings.TrimSpace(strings.TrimPrefix(text[strings.Index(text, m[0])+len(m[0]):], ":"))
	}
	if m := yamlFieldRE.FindStringSubmatch(text); m != nil {
		text = "unknown key " + m[1]
	} else if m := yamlTypeRE.FindStringSubmatch(text); m != nil {
		want := m[3]
		switch {
		case strings.HasPrefix(want, "map["), strings.HasPrefix(want, "*"), strings.Contains(want, "."):
			want = "a mapping"
		case strings.HasPrefix(want, "[]"):
			want = "a list"
		case strings.HasPrefix(want, "float"), strings.HasPrefix(want, "int"):
			want = "a number"
		case want == "bool":
			want = "true or false"
		default:
			want = "a different value"
		}
		kinds := map[string]string{"str": "a string", "seq": "a list", "map": "a mapping", "int": "a number",
			"float": "a number", "bool": "a boolean", "null": "null"}
		got := kinds[m[1]]
		if got == "" {
			got = m[1]
		}
		if m[2] != "" {
			got = fmt.Sprintf("%s %q", got, m[2])
		}
		text = fmt.Sprintf("got %s where %s is expected", got, want)
	}
	key := ""
	if root != nil && line > 0 {
		key = keyAtLine(root, line, "")
	}
	return &DefinitionError{File: file, Line: line, Key: key, Err: fmt.Errorf("%w: %s", ErrDefinition, text)}
}

// keyAtLine finds the dotted key path of the deepest mapping entry (or
// list item) that starts at line.
func keyAtLine(n *yaml.Node, line int, prefix string) string {
	best := ""
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if k := keyAtLine(c, line, prefix); k != "" {
				return k
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			path := k.Value
			if prefix != "" {
				path = prefix + "." + k.Value
			}
			if sub := keyAtLine(v, line, path); sub != "" {
				return sub
			}
			if k.Line == line || (v.Kind == yaml.ScalarNode && v.Line == line) {
				best = path
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			path := fmt.Sprintf("%s[%d]", prefix, i)
			if sub := keyAtLine(c, line, path); sub != "" {
				return sub
			}
		}
	}
	return best
}

type parser struct {
	file string
	root *yaml.Node
	errs []error
	// decodeKeys are the keys whose value did not decode; later checks of
	// the same key (which saw no value) are not reported again.
	decodeKeys []string
}

// add records a problem; the same message twice (a shared result rule
// compiled for every query) is kept once.
func (p *parser) add(err error) {
	var de *DefinitionError
	if errors.As(err, &de) {
		for _, k := range p.decodeKeys {
			if k != "" && (de.Key == k || strings.HasPrefix(de.Key, k+".") || strings.HasPrefix(de.Key, k+"[")) {
				return
			}
		}
	}
	for _, e := range p.errs {
		if e.Error() == err.Error() {
			return
		}
	}
	p.errs = append(p.errs, err)
}

// err is every recorded problem in line order: the one problem itself, or
// several joined (each still a *DefinitionError for errors.As).
func (p *parser) err() error {
	switch len(p.errs) {
	case 0:
		return nil
	case 1:
		return p.errs[0]
	}
	line := func(e error) int {
		var de *DefinitionError
		if errors.As(e, &de) {
			return de.Line
		}
		return 0
	}
	sort.SliceStable(p.errs, func(i, j int) bool { return line(p.errs[i]) < line(p.errs[j]) })
	return errors.Join(p.errs...)
}

// node finds the node at a key path (mapping keys), or nil.
func (p *parser) node(path ...string) (key, val *yaml.Node) {
	n := p.root
	for _, k := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			return key, nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				key, next = n.Content[i], n.Content[i+1]
				break
			}
		}
		if next == nil {
			return key, nil
		}
		n = next
	}
	return key, n
}

// line is the line of the deepest existing node on path.
func (p *parser) line(path ...string) int {
	for i := len(path); i > 0; i-- {
		k, v := p.node(path[:i]...)
		if v != nil && (v.Kind == yaml.ScalarNode) {
			return v.Line
		}
		if k != nil {
			return k.Line
		}
	}
	return p.root.Line
}

func (p *parser) errf(line int, key, format string, args ...any) error {
	return &DefinitionError{File: p.file, Line: line, Key: key,
		Err: fmt.Errorf("%w: %s", ErrDefinition, fmt.Sprintf(format, args...))}
}

func (p *parser) check(d *Definition, kind string) {
	switch strings.ToLower(strings.TrimSpace(kind)) {
	case "ti":
		d.Kind = registry.KindTI
	case "context":
		d.Kind = registry.KindContext
	case "":
		p.add(p.errf(p.line(), "kind", "missing (want ti or context)"))
	default:
		p.add(p.errf(p.line("kind"), "kind", "%q is not ti or context", kind))
	}
	if d.Name == "" {
		p.add(p.errf(p.line(), "provider_name", "missing"))
	} else if !nameRE.MatchString(d.Name) {
		p.add(p.errf(p.line("provider_name"), "provider_name", "%q: use letters, digits, '_', '-' or '.', starting with a letter", d.Name))
	}
	for _, a := range d.Aliases {
		if !nameRE.MatchString(a) {
			p.add(p.errf(p.line("aliases"), "aliases", "%q: use letters, digits, '_', '-' or '.', starting with a letter", a))
		}
	}
	switch d.Mode {
	case "", "http":
		d.Mode = "http"
	case "list":
	default:
		p.add(p.errf(p.line("mode"), "mode", "%q is not http or list", d.Mode))
	}
	seen := map[string]bool{}
	for i, s := range d.Settings {
		key := fmt.Sprintf("settings[%d]", i)
		ln := p.line("settings")
		if n := p.seqItem("settings", i); n != nil {
			ln = n.Line
		}
		if !nameRE.MatchString(s.Name) {
			p.add(p.errf(ln, key+".name", "%q is not a valid setting name", s.Name))
			continue
		}
		if reservedVars[s.Name] {
			p.add(p.errf(ln, key+".name", "%q is reserved", s.Name))
			continue
		}
		if seen[strings.ToLower(s.Name)] {
			p.add(p.errf(ln, key+".name", "%q declared twice", s.Name))
			continue
		}
		seen[strings.ToLower(s.Name)] = true
	}
	if !seen["baseurl"] {
		d.Settings = append(d.Settings, Setting{Name: "BaseURL", Description: "overrides base_url (mirrors, proxies, tests)"})
	}
	if !seen["timeout"] {
		d.Settings = append(d.Settings, Setting{Name: "timeout", Description: "per-call timeout in seconds or a Go duration"})
	}
	if d.BaseURL == "" && d.Mode == "http" {
		p.add(p.errf(p.line(), "base_url", "missing"))
	}
	p.checkLimits(&d.Limits)
	for code, v := range d.StatusMap {
		switch v {
		case "not_found", "invalid", "provider_error", "unexpected":
		default:
			p.add(p.errf(p.line("status_map"), fmt.Sprintf("status_map.%d", code), "%q: want not_found, invalid, provider_error or unexpected", v))
		}
		if code < 100 || code > 599 {
			p.add(p.errf(p.line("status_map"), fmt.Sprintf("status_map.%d", code), "not an HTTP status code"))
		}
	}
	if d.Mode == "list" {
		p.checkList(d)
		return
	}
	if len(d.Queries) == 0 {
		p.add(p.errf(p.line(), "queries", "missing: a provider needs at least one query"))
	}
	for k, q := range d.Queries {
		if q == nil {
			p.add(p.errf(p.line("queries", k), "queries."+k, "empty query"))
			continue
		}
		t, _, _ := strings.Cut(k, "-")
		if !knownTypes[t] {
			p.add(p.errf(p.line("queries", k), "queries."+k, "unknown indicator type %q (known: %s)", t, strings.Join(sortedKeys(knownTypes), ", ")))
		}
		q.Method = strings.ToUpper(strings.TrimSpace(q.Method))
		switch q.Method {
		case "":
			q.Method = "GET"
			if len(q.Form) > 0 || q.Body.Kind != 0 {
				q.Method = "POST"
			}
		case "GET", "POST":
		default:
			p.add(p.errf(p.line("queries", k, "method"), "queries."+k+".method", "%q: want GET or POST", q.Method))
		}
		if len(q.Form) > 0 && q.Body.Kind != 0 {
			p.add(p.errf(p.line("queries", k, "body"), "queries."+k, "form and body are exclusive"))
		}
		if q.Method == "GET" && (len(q.Form) > 0 || q.Body.Kind != 0) {
			p.add(p.errf(p.line("queries", k, "method"), "queries."+k, "a GET query cannot send form or body"))
		}
	}
	for from, to := range d.TypeAliases {
		if !knownTypes[from] {
			p.add(p.errf(p.line("type_aliases", from), "type_aliases."+from, "unknown indicator type %q", from))
		}
		if _, ok := d.Queries[to]; !ok {
			p.add(p.errf(p.line("type_aliases", from), "type_aliases."+from, "target %q has no query", to))
		}
	}
}

func (p *parser) seqItem(key string, i int) *yaml.Node {
	_, n := p.node(key)
	if n == nil || n.Kind != yaml.SequenceNode || i >= len(n.Content) {
		return nil
	}
	return n.Content[i]
}

func (p *parser) checkLimits(l *LimitsSpec) {
	if l.PerSecond < 0 || l.PerMinute < 0 || l.Burst < 0 || l.DailyQuota < 0 || l.Concurrency < 0 || l.Retries < 0 || l.MaxBatch < 0 {
		p.add(p.errf(p.line("limits"), "limits", "limits cannot be negative"))
	}
	if l.Timeout != "" {
		d, err := parseDurationSetting(l.Timeout)
		if err != nil || d <= 0 {
			p.add(p.errf(p.line("limits", "timeout"), "limits.timeout", "%q is not a positive duration (e.g. 30s)", l.Timeout))
		}
		l.timeout = d
	}
	l.maxSize = DefaultMaxResponseSize
	if l.MaxResponseSize != "" {
		n, err := parseSize(l.MaxResponseSize)
		if err != nil || n <= 0 {
			p.add(p.errf(p.line("limits", "max_response_size"), "limits.max_response_size", "%q is not a size (e.g. 10MiB)", l.MaxResponseSize))
		}
		l.maxSize = n
	}
}

func (p *parser) checkList(d *Definition) {
	l := d.List
	if l == nil {
		p.add(p.errf(p.line(), "list", "mode list needs a list: section"))
		return
	}
	if len(l.Sources) == 0 {
		p.add(p.errf(p.line("list"), "list.sources", "missing"))
	}
	for i, s := range l.Sources {
		key := fmt.Sprintf("list.sources[%d]", i)
		if (s.URL == "") == (s.Path == "") {
			p.add(p.errf(p.line("list", "sources"), key, "set exactly one of url and path"))
		}
		if s.Path != "" && d.BaseURL == "" {
			p.add(p.errf(p.line("list", "sources"), key, "path needs base_url"))
		}
		if s.URL != "" {
			if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				p.add(p.errf(p.line("list", "sources"), key+".url", "%q is not an http(s) URL", s.URL))
			}
		}
		switch s.Format {
		case "lines":
		case "stanzas":
			if s.Start == "" || s.Emit == "" {
				p.add(p.errf(p.line("list", "sources"), key, "format stanzas needs start and emit"))
			}
		default:
			p.add(p.errf(p.line("list", "sources"), key+".format", "%q: want lines or stanzas", s.Format))
		}
	}
	l.ttl = 24 * time.Hour
	if l.TTL != "" {
		t, err := time.ParseDuration(l.TTL)
		if err != nil || t <= 0 {
			p.add(p.errf(p.line("list", "ttl"), "list.ttl", "%q is not a positive duration", l.TTL))
		}
		l.ttl = t
	}
	switch l.Key {
	case "":
		l.Key = "exact"
	case "ip", "lower", "exact":
	default:
		p.add(p.errf(p.line("list", "key"), "list.key", "%q: want ip, lower or exact", l.Key))
	}
	if len(d.Queries) > 0 {
		p.add(p.errf(p.line("queries"), "queries", "mode list takes no queries; name the answered types in types:"))
	}
	if len(d.Types) == 0 {
		p.add(p.errf(p.line(), "types", "mode list needs types: (the indicator types the list answers)"))
	}
	for _, t := range d.Types {
		if !knownTypes[t] {
			p.add(p.errf(p.line("types"), "types", "unknown indicator type %q", t))
		}
	}
}

func parseDurationSetting(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f <= 0 || f > 86400 {
			return 0, fmt.Errorf("timeout %q out of range", s)
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	return time.ParseDuration(s)
}

func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000}, {"B", 1}} {
		if strings.HasSuffix(s, u.suf) {
			mult = u.m
			s = strings.TrimSpace(strings.TrimSuffix(s, u.suf))
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, err
	}
	if n > (1<<40)/mult {
		return 0, fmt.Errorf("size too large")
	}
	return n * mult, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
