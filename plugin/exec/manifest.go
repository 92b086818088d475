// Package exec owns executable plugins: a folder holding plugin.yaml and a
// program in any language that speaks msticgo's line-delimited JSON-RPC 2.0
// protocol on stdin/stdout. It parses and checks manifests, supervises the
// plugin processes (start on first use, a pool up to the declared
// concurrency, restart with backoff, process-group shutdown) and adapts them
// to lookup.Provider (ti/context plugins) and data.Driver (data plugins).
package exec

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/msticgo/msticgo/internal/yamlpos"
	"github.com/msticgo/msticgo/ioc"

	"github.com/msticgo/msticgo/registry"
)

// ManifestName is the file that marks a folder as an executable plugin.
const ManifestName = "plugin.yaml"

// ProtocolVersion is the newest protocol version this host speaks.
const ProtocolVersion = 1

// Manifest is a parsed plugin.yaml.
type Manifest struct {
	Schema           int               `yaml:"schema"`
	Kind             string            `yaml:"kind"`
	ProviderName     string            `yaml:"provider_name"`
	Aliases          []string          `yaml:"aliases"`
	DataEnvironments []string          `yaml:"data_environments"`
	Version          string            `yaml:"version"`
	Description      string            `yaml:"description"`
	Protocol         []int             `yaml:"protocol"`
	Command          []string          `yaml:"command"`
	Env              map[string]string `yaml:"env"`
	Dialect          string            `yaml:"dialect"`
	IocTypes         []string          `yaml:"ioc_types"`
	Settings         []Setting         `yaml:"settings"`
	Limits           ManifestLimits    `yaml:"limits"`
	Privacy          Privacy           `yaml:"privacy"`
	Override         bool              `yaml:"override"`
	TestData         []TestCase        `yaml:"test_data"`

	// Filled by ParseManifest.
	Path        string        `yaml:"-"` // the manifest file
	Dir         string        `yaml:"-"` // the plugin folder
	KindValue   registry.Kind `yaml:"-"`
	NameDefault bool          `yaml:"-"` // the name came from the folder name
}

// Setting is one setting the plugin reads from its config entry's Args.
type Setting struct {
	Name        string `yaml:"name"`
	Required    bool   `yaml:"required"`
	Secret      bool   `yaml:"secret"`
	Type        string `yaml:"type"` // str (default), int, bool, float
	Default     string `yaml:"default"`
	Description string `yaml:"description"`
}

// ManifestLimits are the plugin's declared limits.
type ManifestLimits struct {
	StartTimeout    Duration  `yaml:"start_timeout"`
	CallTimeout     Duration  `yaml:"call_timeout"`
	ShutdownTimeout Duration  `yaml:"shutdown_timeout"`
	Concurrency     int       `yaml:"concurrency"`
	MaxBatch        int       `yaml:"max_batch"`
	MaxRestarts     int       `yaml:"max_restarts"`
	RateLimit       RateLimit `yaml:"rate_limit"`
}

// RateLimit is a token bucket declaration.
type RateLimit struct {
	PerSecond float64 `yaml:"per_second"`
	PerMinute float64 `yaml:"per_minute"`
	Burst     int     `yaml:"burst"`
}

// Privacy says what the plugin does with the data it is given.
type Privacy struct {
	// ExternalService is true when indicators are sent to a third party.
	ExternalService bool `yaml:"external_service"`
}

// TestCase is one declared test input for `msticgo plugins test`.
type TestCase struct {
	Ioc     string         `yaml:"ioc"`
	IocType string         `yaml:"ioc_type"`
	SubType string         `yaml:"query_subtype"`
	Query   string         `yaml:"query"`
	Params  map[string]any `yaml:"params"`
	// Expect, when set, is the status the test must produce (found, not found...).
	Expect string `yaml:"expect"`
}

// Duration is a time.Duration written as "10s", "250ms" or a number of seconds.
type Duration time.Duration

// UnmarshalYAML reads "10s" or a bare number of seconds.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a duration such as 10s", n.Line)
	}
	s := strings.TrimSpace(n.Value)
	if v, err := time.ParseDuration(s); err == nil {
		if v < 0 {
			return fmt.Errorf("line %d: negative duration %q", n.Line, s)
		}
		*d = Duration(v)
		return nil
	}
	if secs, err := strconv.ParseFloat(s, 64); err == nil && secs >= 0 && secs < 1e6 {
		*d = Duration(secs * float64(time.Second))
		return nil
	}
	return fmt.Errorf("line %d: bad duration %q (want e.g. 10s, 500ms)", n.Line, s)
}

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// ManifestError is a problem in a manifest, with the line and key when known.
type ManifestError struct {
	Path string
	Line int
	Key  string
	Msg  string
}

func (e *ManifestError) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ReadManifest reads and checks dir/plugin.yaml.
func ReadManifest(dir string) (*Manifest, error) {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	path := filepath.Join(dir, ManifestName)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("plugin manifest: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 1<<20+1))
	if err != nil {
		return nil, fmt.Errorf("plugin manifest %s: %w", path, err)
	}
	if len(data) > 1<<20 {
		return nil, &ManifestError{Path: path, Msg: "manifest larger than 1 MiB"}
	}
	return ParseManifest(data, path)
}

// ParseManifest parses manifest bytes read from path (used in messages and
// to locate the plugin folder). Every problem found is returned, joined.
func ParseManifest(data []byte, path string) (*Manifest, error) {
	m := &Manifest{Path: path, Dir: filepath.Dir(path)}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &ManifestError{Path: path, Msg: yamlpos.Message(data, err)}
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		line := 0
		if len(root.Content) > 0 {
			line = root.Content[0].Line
		}
		return nil, &ManifestError{Path: path, Line: line, Msg: "manifest must be a YAML mapping"}
	}
	top := root.Content[0]
	var errs []error
	at := func(line int, key, format string, a ...any) {
		errs = append(errs, &ManifestError{Path: path, Line: line, Key: key, Msg: fmt.Sprintf(format, a...)})
	}
	// Each key is decoded on its own, so an unknown key or a wrong value
	// never hides the other problems of the manifest.
	decodeNode(top, reflect.ValueOf(m).Elem(), "", at)
	bad := func(key, format string, a ...any) {
		at(nodeLine(top, key), key, format, a...)
	}
	if m.Schema == 0 {
		m.Schema = 1
	}
	if m.Schema != 1 {
		bad("schema", "unsupported manifest schema %d (this msticgo reads schema 1; upgrade msticgo)", m.Schema)
	}
	if strings.TrimSpace(m.Kind) == "" {
		bad("kind", "required (data, ti or context)")
	} else if k, err := registry.ParseKind(m.Kind); err != nil {
		bad("kind", "%v", err)
	} else {
		m.KindValue = k
	}
	m.ProviderName = strings.TrimSpace(m.ProviderName)
	if m.ProviderName == "" {
		m.ProviderName = filepath.Base(m.Dir)
		m.NameDefault = true
	}
	if !validName(m.ProviderName) {
		bad("provider_name", "%q is not a usable name (letters, digits, _ . - only)", m.ProviderName)
	}
	for _, a := range append(append([]string(nil), m.Aliases...), m.DataEnvironments...) {
		if !validName(a) {
			bad("aliases", "%q is not a usable name", a)
		}
	}
	if m.KindValue == registry.KindData && len(m.Aliases) > 0 {
		bad("aliases", "data plugins list their names in data_environments")
	}
	if m.KindValue != registry.KindData && m.KindValue != "" && len(m.DataEnvironments) > 0 {
		bad("data_environments", "only data plugins have data environments; use aliases")
	}
	if m.KindValue == registry.KindData && len(m.IocTypes) > 0 {
		bad("ioc_types", "only ti and context plugins have indicator types")
	}
	if len(m.Protocol) == 0 {
		m.Protocol = []int{1}
	}
	if pickProtocol(m.Protocol) == 0 {
		bad("protocol", "plugin speaks protocol %v, this msticgo speaks 1..%d: upgrade msticgo", m.Protocol, ProtocolVersion)
	}
	if len(m.Command) == 0 || strings.TrimSpace(m.Command[0]) == "" {
		bad("command", "required: the program and its arguments as a list, e.g. [python3, plugin.py]")
	} else if len(m.Command) == 1 && strings.ContainsAny(m.Command[0], " \t") && !fileExists(filepath.Join(m.Dir, m.Command[0])) {
		bad("command", "%q looks like a shell command line; write the argv as a list (no shell is used)", m.Command[0])
	}
	seen := map[string]bool{}
	for i, s := range m.Settings {
		if strings.TrimSpace(s.Name) == "" {
			bad("settings", "entry %d has no name", i+1)
			continue
		}
		if seen[strings.ToLower(s.Name)] {
			bad("settings", "setting %q listed twice", s.Name)
		}
		seen[strings.ToLower(s.Name)] = true
		switch strings.ToLower(s.Type) {
		case "", "str", "string", "int", "bool", "float":
		default:
			bad("settings", "setting %q has unknown type %q (str, int, bool, float)", s.Name, s.Type)
		}
	}
	l := &m.Limits
	for _, n := range []struct {
		key string
		v   float64
	}{
		{"limits.concurrency", float64(l.Concurrency)}, {"limits.max_batch", float64(l.MaxBatch)},
		{"limits.max_restarts", float64(l.MaxRestarts)}, {"limits.rate_limit.per_second", l.RateLimit.PerSecond},
		{"limits.rate_limit.per_minute", l.RateLimit.PerMinute}, {"limits.rate_limit.burst", float64(l.RateLimit.Burst)},
	} {
		if n.v < 0 {
			bad(n.key, "must not be negative (got %v)", n.v)
		}
	}
	if l.Concurrency > 64 {
		bad("limits.concurrency", "concurrency %d is more than 64 processes", l.Concurrency)
	}
	switch m.KindValue {
	case registry.KindData: // reported above
	case registry.KindContext: // context providers name their own types
		for _, t := range m.IocTypes {
			if !validName(t) {
				bad("ioc_types", "%q is not a usable type name (letters, digits, _ . - only)", t)
			}
		}
	default: // ti, or a kind that is itself wrong: the ti rules
		for _, t := range m.IocTypes {
			if strings.TrimSpace(t) == "" {
				bad("ioc_types", "empty indicator type")
			} else if _, err := ioc.ParseType(t); err != nil {
				bad("ioc_types", "%v", err)
			}
		}
	}
	switch strings.ToLower(m.Dialect) {
	case "", "kql", "spl", "sql", "lucene":
	default:
		bad("dialect", "unknown dialect %q (kql, spl, sql, lucene)", m.Dialect)
	}
	for i, tc := range m.TestData {
		if m.KindValue == registry.KindData && tc.Query == "" {
			bad("test_data", "entry %d: data plugins need a query", i+1)
		}
		if m.KindValue != registry.KindData && m.KindValue != "" && tc.Ioc == "" {
			bad("test_data", "entry %d: ti and context plugins need an ioc", i+1)
		}
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool {
			return errs[i].(*ManifestError).Line < errs[j].(*ManifestError).Line
		})
		return nil, errors.Join(errs...)
	}
	return m, nil
}

// Names returns the friendly name and aliases the plugin registers under,
// following MSTICPy's rules (data environments replace the name).
func (m *Manifest) Names() []string {
	if m.KindValue == registry.KindData {
		return registry.DataNames(m.DataEnvironments, m.ProviderName)
	}
	return append([]string{m.ProviderName}, m.Aliases...)
}

// SecretNames lists the settings flagged secret.
func (m *Manifest) SecretNames() []string {
	var out []string
	for _, s := range m.Settings {
		if s.Secret {
			out = append(out, s.Name)
		}
	}
	return out
}

// RequiredNames lists the settings flagged required.
func (m *Manifest) RequiredNames() []string {
	var out []string
	for _, s := range m.Settings {
		if s.Required {
			out = append(out, s.Name)
		}
	}
	return out
}

func pickProtocol(vs []int) int {
	best := 0
	for _, v := range vs {
		if v >= 1 && v <= ProtocolVersion && v > best {
			best = v
		}
	}
	return best
}

func validName(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
		default:
			return false
		}
	}
	return true
}

// nodeLine is the line of a dotted key path ("limits.concurrency") in a
// mapping, or of its nearest ancestor that exists; 0 when none does.
func nodeLine(m *yaml.Node, path string) int {
	line := 0
	for _, key := range strings.Split(path, ".") {
		for m != nil && m.Kind == yaml.AliasNode {
			m = m.Alias
		}
		if m == nil || m.Kind != yaml.MappingNode {
			return line
		}
		var next *yaml.Node
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == key {
				line, next = m.Content[i].Line, m.Content[i+1]
			}
		}
		if next == nil {
			return line
		}
		m = next
	}
	return line
}

// decodeNode decodes n into v key by key, reporting every unknown key and
// every value of the wrong type through bad (with its line and dotted key)
// instead of stopping at the first.
func decodeNode(n *yaml.Node, v reflect.Value, key string, bad func(line int, key, format string, a ...any)) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	t := v.Type()
	if _, custom := v.Addr().Interface().(yaml.Unmarshaler); !custom {
		switch {
		case t.Kind() == reflect.Struct:
			if n.Kind != yaml.MappingNode {
				bad(n.Line, key, "want a mapping of keys (got %s)", nodeKind(n))
				return
			}
			fields := map[string]int{}
			var names []string
			for i := range t.NumField() {
				tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
				if tag != "" && tag != "-" {
					fields[tag] = i
					names = append(names, tag)
				}
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, val := n.Content[i], n.Content[i+1]
				if k.Tag == "!!merge" {
					if val.Kind == yaml.SequenceNode {
						for _, e := range val.Content {
							decodeNode(e, v, key, bad)
						}
					} else {
						decodeNode(val, v, key, bad)
					}
					continue
				}
				sub := joinKey(key, k.Value)
				fi, ok := fields[k.Value]
				if !ok {
					bad(k.Line, sub, "unknown key %q (known: %s)", k.Value, strings.Join(names, ", "))
					continue
				}
				decodeNode(val, v.Field(fi), sub, bad)
			}
			return
		case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
			if n.Kind != yaml.SequenceNode {
				bad(n.Line, key, "want a list (got %s)", nodeKind(n))
				return
			}
			s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
			for i, e := range n.Content {
				decodeNode(e, s.Index(i), fmt.Sprintf("%s[%d]", key, i+1), bad)
			}
			v.Set(s)
			return
		}
	}
	p := reflect.New(t)
	if err := n.Decode(p.Interface()); err != nil {
		bad(n.Line, key, "%s", yamlMsg(err))
		return
	}
	v.Set(p.Elem())
}

func joinKey(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return fmt.Sprintf("%q", n.Value)
	}
}

var linePrefix = regexp.MustCompile(`^line \d+: `)

// yamlMsg is a decode error without the "yaml: unmarshal errors" and
// "line N:" wrapping (the ManifestError carries the line).
func yamlMsg(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "yaml: ")
	s = strings.TrimPrefix(s, "unmarshal errors:\n  ")
	s = strings.ReplaceAll(s, "\n  ", "; ")
	s = linePrefix.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, " in type exec.Manifest", "")
	return s
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
