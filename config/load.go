package config

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/msticgo/msticgo/internal/yamlpos"
)

//go:embed msticpyconfig.yaml
var embeddedDefaults []byte

// EmbeddedYAML returns the built-in default configuration text.
func EmbeddedYAML() []byte { return append([]byte(nil), embeddedDefaults...) }

// How a config file was found (Config.From, Location.From).
const (
	FromFlag     = "--config"
	FromEnv      = "MSTICPYCONFIG"
	FromCwd      = "./msticpyconfig.yaml"
	FromHome     = "~/.msticpy/msticpyconfig.yaml"
	FromEmbedded = "embedded"
)

// FindOptions says where to look. Zero fields use the process environment.
type FindOptions struct {
	// Flag is the --config value ("" when not given).
	Flag string
	// Getenv reads environment variables; nil means os.Getenv. It is also
	// used to resolve EnvironmentVar secrets.
	Getenv func(string) string
	// Cwd is the working folder; "" means the process's.
	Cwd string
	// Home is the home folder; "" means $HOME (through Getenv), else
	// os.UserHomeDir.
	Home string
}

func (o FindOptions) getenv(k string) string {
	if o.Getenv != nil {
		return o.Getenv(k)
	}
	return os.Getenv(k)
}

// Location is where a config file was found.
type Location struct {
	Path string // "" when none was found
	From string // FromFlag, FromEnv, FromCwd, FromHome, or FromEmbedded
}

// ErrMissing is wrapped by the error for an explicit path (flag or
// MSTICPYCONFIG) that does not exist.
var ErrMissing = errors.New("config file not found")

// MissingError names an explicit config path that does not exist.
type MissingError struct {
	Path string
	From string
	Err  error
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("config file %s (from %s) cannot be read: %v", e.Path, e.From, e.Err)
}

// Unwrap makes errors.Is(err, ErrMissing) true.
func (e *MissingError) Unwrap() error { return ErrMissing }

// Find locates the config file: the flag, else MSTICPYCONFIG, else
// ./msticpyconfig.yaml, else ~/.msticpy/msticpyconfig.yaml. An explicit path
// (flag or MSTICPYCONFIG) that does not exist or is a folder is a
// *MissingError, never a silent fall-back. When nothing is found the
// Location has From == FromEmbedded and no Path.
func Find(opts FindOptions) (Location, error) {
	explicit := func(p, from string) (Location, error) {
		st, err := os.Stat(p)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				err = errors.New("no such file")
			}
			return Location{}, &MissingError{Path: p, From: from, Err: err}
		}
		if st.IsDir() {
			return Location{}, &MissingError{Path: p, From: from, Err: errors.New("it is a folder")}
		}
		return Location{Path: p, From: from}, nil
	}
	if opts.Flag != "" {
		return explicit(opts.Flag, FromFlag)
	}
	if p := strings.TrimSpace(opts.getenv("MSTICPYCONFIG")); p != "" {
		return explicit(p, FromEnv)
	}
	cwd := opts.Cwd
	if cwd == "" {
		cwd = "."
	}
	if p := filepath.Join(cwd, "msticpyconfig.yaml"); isFile(p) {
		return Location{Path: p, From: FromCwd}, nil
	}
	home := opts.Home
	if home == "" {
		home = opts.getenv("HOME")
	}
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	if home != "" {
		if p := filepath.Join(home, ".msticpy", "msticpyconfig.yaml"); isFile(p) {
			return Location{Path: p, From: FromHome}, nil
		}
	}
	return Location{From: FromEmbedded}, nil
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// Load finds the config (see Find) and reads it; with no file it returns the
// embedded defaults (From == FromEmbedded). Problems inside the file are in
// Config.Problems, not errors; errors are for a missing explicit path, an
// unreadable file or a file that is not valid YAML.
func Load(opts FindOptions) (*Config, error) {
	loc, err := Find(opts)
	if err != nil {
		return nil, err
	}
	if loc.Path == "" {
		c, err := Parse(embeddedDefaults, "", opts.Getenv)
		if err != nil {
			return nil, fmt.Errorf("embedded defaults: %w", err)
		}
		c.From = FromEmbedded
		return c, nil
	}
	c, err := LoadFile(loc.Path, opts.Getenv)
	if err != nil {
		return nil, err
	}
	c.From = loc.From
	return c, nil
}

// Embedded returns the built-in defaults.
func Embedded() *Config {
	c, err := Parse(embeddedDefaults, "", nil)
	if err != nil {
		panic("config: embedded defaults do not parse: " + err.Error())
	}
	c.From = FromEmbedded
	return c
}

// LoadFile reads one config file. getenv resolves EnvironmentVar secrets
// (nil means os.Getenv).
func LoadFile(path string, getenv func(string) string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &MissingError{Path: path, From: "path", Err: errors.New("no such file")}
		}
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	return Parse(data, path, getenv)
}

// Parse reads config text. path names the file in problems and sets Dir
// (relative paths are resolved against its folder); "" means the current
// folder. The error is only for text that is not YAML at all.
func Parse(data []byte, path string, getenv func(string) string) (*Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := &Config{Path: path, Unknown: map[string]*yaml.Node{}}
	if path != "" {
		if abs, err := filepath.Abs(filepath.Dir(path)); err == nil {
			c.dir = abs
		} else {
			c.dir = filepath.Dir(path)
		}
	}
	p := &parser{c: c, getenv: getenv, file: path}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		name := path
		if name == "" {
			name = "config"
		}
		return nil, fmt.Errorf("%s: not valid YAML: %s", name, yamlpos.Message(data, err))
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return c, nil // empty file or only comments
	}
	if expandedSize(&doc, map[*yaml.Node]int{}, 0) > maxExpanded {
		name := path
		if name == "" {
			name = "config"
		}
		return nil, fmt.Errorf("%s: YAML aliases expand to more than %d nodes; refusing to read it", name, maxExpanded)
	}
	root := deref(doc.Content[0])
	if isNull(root) {
		return c, nil
	}
	if root.Kind != yaml.MappingNode {
		p.problem(SevError, "", root, "the file must be a mapping of sections, got "+shape(root))
		return c, nil
	}
	c.root = root
	p.duplicates(root, "", 0)
	p.parseRoot(root)
	return c, nil
}

// duplicates reports every key written twice in one mapping (the YAML
// spec forbids it; MSTICPy's reader silently keeps the later one, which
// is what msticgo uses too, see pairs). It does not follow aliases, so a
// shared anchor is reported once, where it is written.
func (p *parser) duplicates(n *yaml.Node, path string, depth int) {
	if n == nil || depth > 100 {
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		first := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			kp := k.Value
			if path != "" {
				kp = path + "." + k.Value
			}
			if k.Kind == yaml.ScalarNode && k.Value != "<<" {
				if f, ok := first[k.Value]; ok {
					p.problem(SevError, kp, k, fmt.Sprintf("key written twice (first at line %d); only this later one is used, as MSTICPy does", f.Line))
				} else {
					first[k.Value] = k
				}
			}
			p.duplicates(v, kp, depth+1)
		}
	case yaml.SequenceNode:
		for i, it := range n.Content {
			p.duplicates(it, fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
	}
}

// maxExpanded bounds the size of a document with its aliases expanded, so
// a small "billion laughs" file cannot make later walks explode.
const maxExpanded = 200000

// expandedSize counts the nodes of n with aliases expanded (memoised, capped
// just above maxExpanded; self-referencing aliases count as over the cap).
func expandedSize(n *yaml.Node, memo map[*yaml.Node]int, depth int) int {
	if n == nil {
		return 0
	}
	if v, ok := memo[n]; ok {
		return v
	}
	if depth > 1000 {
		return maxExpanded + 1
	}
	memo[n] = maxExpanded + 1 // in progress: a cycle counts as too big
	total := 1
	if n.Kind == yaml.AliasNode {
		total += expandedSize(n.Alias, memo, depth+1)
	}
	for _, c := range n.Content {
		total += expandedSize(c, memo, depth+1)
		if total > maxExpanded {
			total = maxExpanded + 1
			break
		}
	}
	memo[n] = total
	return total
}

type parser struct {
	c      *Config
	getenv func(string) string
	file   string
}

func (p *parser) problem(sev Severity, path string, n *yaml.Node, msg string) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.c.Problems = append(p.c.Problems, Problem{File: p.file, Path: path, Line: line, Severity: sev, Message: msg})
}

// KnownSections are the top-level sections msticgo reads.
var KnownSections = []string{"TIProviders", "ContextProviders", "DataProviders", "OtherProviders", "PluginFolders", "QueryDefinitions", "UserDefaults", "AzureSentinel", "MSSentinel", "KeyVault", "Azure", "msticpy", "http_timeout"}

func (p *parser) parseRoot(root *yaml.Node) {
	c := p.c
	var timeoutTop *yaml.Node
	for _, kv := range pairs(root) {
		kn, vn := kv[0], kv[1]
		key := kn.Value
		c.order = append(c.order, key)
		switch key {
		case "TIProviders":
			c.TIProviders = p.providers(key, kn, vn)
		case "ContextProviders":
			c.ContextProviders = p.providers(key, kn, vn)
		case "DataProviders":
			c.DataProviders = p.providers(key, kn, vn)
		case "OtherProviders":
			c.OtherProviders = p.providers(key, kn, vn)
		case "PluginFolders":
			c.PluginFolderList = p.pluginFolders(key, vn)
			c.PluginFolders = nil
			for _, f := range c.PluginFolderList {
				c.PluginFolders = append(c.PluginFolders, f.Path)
			}
		case "QueryDefinitions":
			p.queryDefs(key, vn)
		case "UserDefaults":
			p.userDefaults(key, vn)
		case "AzureSentinel", "MSSentinel":
			if c.Sentinel != nil {
				p.problem(SevError, key, kn, fmt.Sprintf("AzureSentinel and MSSentinel are one section; this one is ignored and %s (line %d) is used", c.Sentinel.Key, c.Sentinel.Line))
				continue
			}
			c.Sentinel = p.sentinel(key, kn, vn)
		case "KeyVault":
			c.KeyVault = p.keyVault(key, kn, vn)
		case "Azure":
			p.azure(key, kn, vn)
		case "msticpy":
			p.msticpy(key, kn, vn)
		case "http_timeout":
			timeoutTop = vn
		default:
			c.Unknown[key] = vn
			p.unknownSection(key, kn)
		}
	}
	if c.Msticpy.HTTPTimeout == 0 && timeoutTop != nil {
		p.timeout("http_timeout", timeoutTop)
	}
	// MSTICPy's http_timeout and Proxies apply to every HTTP provider:
	// each TI and context entry carries them to its factory.
	for _, sec := range [][]ProviderEntry{c.TIProviders, c.ContextProviders} {
		for i := range sec {
			sec[i].HTTPTimeout = c.Msticpy.HTTPTimeout
			sec[i].Proxies = c.Msticpy.Proxies
		}
	}
}

// msticpySections are top-level sections of MSTICPy configs that this
// package does not read but that are not mistakes: AzureCLI (deprecated,
// now DataProviders.AzureCLI), Plugins (read by nothing in MSTICPy),
// definitions (the anchors of MSTICPy's settings schema) and LocalData
// (MSTICPy's place for LocalData.data_paths, which the LocalData driver
// reads from Config.Unknown).
var msticpySections = []string{"AzureCLI", "Plugins", "definitions", "LocalData"}

// unknownSection warns about a top-level key that is neither a section
// msticgo reads nor one of MSTICPy's: most likely a typo (TIProvider).
func (p *parser) unknownSection(key string, kn *yaml.Node) {
	for _, k := range msticpySections {
		if k == key {
			return
		}
	}
	for _, k := range KnownSections {
		if strings.EqualFold(k, key) {
			p.problem(SevWarning, key, kn, fmt.Sprintf("unknown section kept as is; section names are case-sensitive: did you mean %s?", k))
			return
		}
	}
	msg := "unknown section, not read by msticgo"
	if s := suggest(key, KnownSections); s != "" {
		msg += fmt.Sprintf(": did you mean %s?", s)
	} else {
		msg += " (sections: " + strings.Join(KnownSections, ", ") + ")"
	}
	p.problem(SevWarning, key, kn, msg)
}

// entryKeys are the keys of a provider entry; its settings go under Args.
var entryKeys = []string{"Args", "Primary", "Provider", "Description"}

// directKeys are the settings MSTICPy's drivers read beside Args, by
// provider type (DataProviders.Mordor.save_folder; MSTICPy's Mordor driver
// reads "used_cached", its schema says "use_cached"). msticgo has no such
// driver; they are kept in Extra, not reported.
var directKeys = map[string][]string{
	"mordor": {"save_folder", "use_cached", "used_cached"},
}

func isDirectKey(section string, e ProviderEntry, key string) bool {
	if section != "DataProviders" {
		return false
	}
	for _, typ := range []string{e.Provider, e.Name} {
		for _, k := range directKeys[strings.ToLower(typ)] {
			if k == key {
				return true
			}
		}
	}
	return false
}

// unknownEntryKey is the warning for a key of an entry that is neither an
// entry key nor a direct key: a misspelt entry key (Arsg, Primry), else
// most likely a setting written without Args.
func unknownEntryKey(key string) string {
	if s := suggest(key, entryKeys); s != "" {
		return fmt.Sprintf("unknown key ignored: did you mean %s?", s)
	}
	return fmt.Sprintf("unknown key ignored: did you mean Args.%s? (settings go under Args)", key)
}

func (p *parser) providers(section string, kn, vn *yaml.Node) []ProviderEntry {
	if isNull(vn) {
		return nil
	}
	if vn.Kind != yaml.MappingNode {
		p.problem(SevError, section, vn, "expected a mapping of provider entries, got "+shape(vn)+"; section ignored")
		return nil
	}
	var out []ProviderEntry
	for _, kv := range pairs(vn) {
		ek, ev := kv[0], kv[1]
		name := ek.Value
		path := section + "." + name
		e := ProviderEntry{Section: section, Name: name, Provider: name, Line: ek.Line}
		before := len(p.c.Problems)
		if isNull(ev) {
			p.problem(SevWarning, path, ek, "entry has no settings")
			out = append(out, e)
			continue
		}
		if ev.Kind != yaml.MappingNode {
			p.problem(SevError, path, ev, "expected a mapping (Args, Primary, Provider, Description), got "+shape(ev)+"; entry ignored")
			continue
		}
		var other [][2]*yaml.Node
		for _, kv := range pairs(ev) {
			k, v := kv[0], kv[1]
			kp := path + "." + k.Value
			switch k.Value {
			case "Args":
				if isNull(v) {
					continue
				}
				if v.Kind != yaml.MappingNode {
					p.problem(SevError, kp, v, "expected a mapping of settings, got "+shape(v)+"; Args ignored")
					continue
				}
				for _, akv := range pairs(v) {
					e.Args = append(e.Args, p.setting(kp, akv[0], akv[1]))
				}
			case "Primary":
				if b, ok := p.boolean(kp, v); ok {
					e.Primary = b
				}
			case "Provider":
				if s, ok := p.scalar(kp, v); ok && strings.TrimSpace(s) != "" {
					e.Provider = strings.TrimSpace(s)
				}
			case "Description":
				if s, ok := p.scalar(kp, v); ok {
					e.Description = s
				}
			default:
				other = append(other, kv)
			}
		}
		// Keys beside Args are read once Provider is known: only the
		// direct keys MSTICPy's own drivers read (Mordor's save_folder)
		// are settings; any other is ignored, with a warning, since a
		// driver setting written without Args (ConnectionString: ...)
		// would otherwise be dropped silently.
		for _, kv := range other {
			k, v := kv[0], kv[1]
			if isDirectKey(section, e, k.Value) {
				e.Extra = append(e.Extra, p.setting(path, k, v))
				continue
			}
			p.problem(SevWarning, path+"."+k.Value, k, unknownEntryKey(k.Value))
			mark := len(p.c.Problems)
			s := p.setting(path, k, v)
			p.c.Problems = p.c.Problems[:mark] // the key is ignored: nothing more to say about its value
			if v.Kind == yaml.MappingNode && !s.Secret {
				s.written = v
			}
			e.Ignored = append(e.Ignored, s)
		}
		p.mergeKeyVault(before)
		e.Status = entryStatus(e.Args)
		if e.Status == "" {
			e.Status = entryStatus(e.Extra)
		}
		out = append(out, e)
	}
	return out
}

const kvMessage = "Key Vault references are not supported yet; the provider is not configured"

// mergeKeyVault reports an entry's Key Vault references (the problems
// from index from on) once, at the first, naming the settings: they are
// one fact about the provider, not one per setting.
func (p *parser) mergeKeyVault(from int) {
	var keys []string
	first := -1
	kept := p.c.Problems[:from]
	for i, pr := range p.c.Problems[from:] {
		if pr.Message != kvMessage {
			kept = append(kept, pr)
			continue
		}
		keys = append(keys, pr.Path[strings.LastIndex(pr.Path, ".")+1:])
		if first < 0 {
			first = len(kept)
			kept = append(kept, p.c.Problems[from+i])
		}
	}
	if len(keys) > 1 {
		kept[first].Path = kept[first].Path[:strings.LastIndex(kept[first].Path, ".")]
		kept[first].Message = fmt.Sprintf("Key Vault references (%s) are not supported yet; the provider is not configured", strings.Join(keys, ", "))
	}
	p.c.Problems = kept
}

// entryStatus is "" when every reference resolved, else the first reason.
func entryStatus(args []Setting) string {
	for _, s := range args {
		if !s.Resolved {
			return "not configured: " + s.Reason
		}
	}
	return ""
}

// setting reads one setting: a scalar (raw text), a list of scalars, or a
// reference mapping (EnvironmentVar / KeyVault).
func (p *parser) setting(parent string, kn, vn *yaml.Node) Setting {
	key := kn.Value
	path := parent + "." + key
	s := Setting{Key: key, Line: kn.Line, Resolved: true, Secret: LooksSecret(key)}
	switch {
	case isNull(vn):
		p.problem(SevNote, path, kn, "setting has no value; read as empty text")
	case vn.Kind == yaml.ScalarNode:
		s.Value, s.Raw = vn.Value, vn.Value
	case vn.Kind == yaml.SequenceNode && s.Secret:
		// A key or password is one value: joining a list would send a
		// made-up credential to the service.
		s.Resolved = false
		s.Reason = key + " must be a single value, not a list"
		p.problem(SevError, path, vn, "a secret setting must be a single value, got a list; the provider is not configured")
	case vn.Kind == yaml.SequenceNode:
		for _, it := range vn.Content {
			it = deref(it)
			if it.Kind != yaml.ScalarNode {
				p.problem(SevWarning, path, it, "list items must be plain values, got "+shape(it)+"; item ignored")
				continue
			}
			s.Values = append(s.Values, it.Value)
		}
		s.Value = strings.Join(s.Values, ",")
		s.Raw = s.Value
	case vn.Kind == yaml.MappingNode:
		env, hasEnv := mapGet(vn, "EnvironmentVar")
		kv, hasKV := mapGet(vn, "KeyVault")
		switch {
		case hasEnv:
			s.Secret = true
			name := ""
			if env.Kind == yaml.ScalarNode && !isNull(env) {
				name = strings.TrimSpace(env.Value)
			}
			if name == "" {
				s.Resolved = false
				s.Reason = key + " has an EnvironmentVar reference with no variable name"
				p.problem(SevError, path+".EnvironmentVar", env, "no environment variable name given")
				break
			}
			s.EnvVar = name
			val := strings.TrimSpace(p.getenv(name))
			if val == "" {
				s.Resolved = false
				s.Reason = name + " not set"
				p.problem(SevWarning, path, kn, fmt.Sprintf("environment variable %s is not set (or empty); the provider is not configured", name))
				break
			}
			s.Value = val
		case hasKV:
			s.Secret, s.IsKeyVault, s.Resolved = true, true, false
			s.Reason = key + " is a Key Vault reference (Key Vault is not supported yet)"
			s.KeyVault = "default"
			if kv.Kind == yaml.ScalarNode && strings.TrimSpace(kv.Value) != "" && !isNull(kv) {
				s.KeyVault = strings.TrimSpace(kv.Value)
			}
			p.problem(SevWarning, path, kn, kvMessage)
		default:
			s.Resolved = false
			s.Reason = key + " is a mapping, not a value, {EnvironmentVar: NAME} or {KeyVault: ...}"
			p.problem(SevWarning, path, vn, "a mapping setting must be {EnvironmentVar: NAME} or {KeyVault: ...}; the provider is not configured")
		}
	default:
		p.problem(SevWarning, path, vn, "unsupported setting shape "+shape(vn)+"; read as empty text")
	}
	return s
}

func (p *parser) scalar(path string, n *yaml.Node) (string, bool) {
	if isNull(n) {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		p.problem(SevError, path, n, "expected a plain value, got "+shape(n)+"; ignored")
		return "", false
	}
	return n.Value, true
}

func (p *parser) boolean(path string, n *yaml.Node) (bool, bool) {
	s, ok := p.scalar(path, n)
	if !ok {
		return false, false
	}
	if b, ok := parseBool(s); ok {
		return b, true
	}
	p.problem(SevError, path, n, "expected true or false; ignored")
	return false, false
}

// parseBool accepts YAML 1.1 booleans (true/false, yes/no, on/off, any case).
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "on", "y", "1":
		return true, true
	case "false", "no", "off", "n", "0":
		return false, true
	}
	return false, false
}

// stringList reads a single string or a list of strings; null → nil.
func (p *parser) stringList(path string, n *yaml.Node) []string {
	var out []string
	for _, it := range p.stringNodes(path, n) {
		out = append(out, it.Value)
	}
	return out
}

// pluginFolders reads PluginFolders: each folder as written, resolved, and
// with its line.
func (p *parser) pluginFolders(path string, n *yaml.Node) []Folder {
	var out []Folder
	for _, it := range p.stringNodes(path, n) {
		out = append(out, Folder{Written: it.Value, Path: ResolvePath(p.c.dir, it.Value), Line: it.Line})
	}
	return out
}

// stringNodes is stringList with each item's node.
func (p *parser) stringNodes(path string, n *yaml.Node) []*yaml.Node {
	if isNull(n) {
		return nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!int" || n.Tag == "!!float" || n.Tag == "!!bool" {
			break // PluginFolders: 42 is a mistake, not a folder named "42"
		}
		if strings.TrimSpace(n.Value) == "" {
			return nil
		}
		return []*yaml.Node{n}
	case yaml.SequenceNode:
		var out []*yaml.Node
		for i, it := range n.Content {
			it = deref(it)
			if isNull(it) {
				continue
			}
			if it.Kind != yaml.ScalarNode {
				p.problem(SevError, fmt.Sprintf("%s[%d]", path, i), it, "expected a folder name, got "+shape(it)+"; item ignored")
				continue
			}
			if strings.TrimSpace(it.Value) != "" {
				out = append(out, it)
			}
		}
		return out
	}
	p.problem(SevError, path, n, "expected a folder name or a list of them, got "+shape(n)+"; ignored")
	return nil
}

// resolvePaths makes relative folders relative to the config file's folder
// and expands a leading "~/".
func (p *parser) resolvePaths(in []string) []string {
	var out []string
	for _, s := range in {
		out = append(out, ResolvePath(p.c.dir, s))
	}
	return out
}

// ResolvePath resolves a folder written in a config file: "~/" expands to the
// home folder; a relative path is joined to dir (unchanged when dir is "").
func ResolvePath(dir, s string) string {
	s = strings.TrimSpace(s)
	if s == "~" || strings.HasPrefix(s, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			s = filepath.Join(home, strings.TrimPrefix(s, "~"))
		}
	}
	if filepath.IsAbs(s) || dir == "" {
		return filepath.Clean(s)
	}
	return filepath.Join(dir, s)
}

func (p *parser) queryDefs(section string, n *yaml.Node) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		p.problem(SevError, section, n, "expected a mapping with Default and/or Custom, got "+shape(n)+"; ignored")
		return
	}
	for _, kv := range pairs(n) {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "Default":
			p.c.QueryDefinitions.Default = p.resolvePaths(p.stringList(section+".Default", v))
		case "Custom":
			p.c.QueryDefinitions.Custom = p.resolvePaths(p.stringList(section+".Custom", v))
		default:
			p.problem(SevWarning, section+"."+k.Value, k, "unknown key ignored (want Default or Custom)")
		}
	}
}

func (p *parser) userDefaults(section string, n *yaml.Node) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		p.problem(SevError, section, n, "expected a mapping, got "+shape(n)+"; ignored")
		return
	}
	var walk func(prefix string, m *yaml.Node)
	walk = func(prefix string, m *yaml.Node) {
		for _, kv := range pairs(m) {
			k, v := kv[0], kv[1]
			if v.Kind == yaml.MappingNode {
				if _, ok := mapGet(v, "EnvironmentVar"); !ok {
					if _, ok := mapGet(v, "KeyVault"); !ok {
						walk(prefix+k.Value+".", v)
						continue
					}
				}
			}
			kk := *k
			kk.Value = prefix + k.Value
			s := p.setting(section, &kk, v)
			s.Secret = s.Secret || LooksSecret(k.Value)
			p.c.UserDefaults = append(p.c.UserDefaults, s)
		}
	}
	walk("", n)
}

func (p *parser) sentinel(key string, kn, n *yaml.Node) *Sentinel {
	s := &Sentinel{Key: key, Line: kn.Line}
	if isNull(n) {
		return s
	}
	if n.Kind != yaml.MappingNode {
		p.problem(SevError, key, n, "expected a mapping with Workspaces, got "+shape(n)+"; ignored")
		return s
	}
	ws, ok := mapGet(n, "Workspaces")
	if !ok || isNull(ws) {
		return s
	}
	if ws.Kind != yaml.MappingNode {
		p.problem(SevError, key+".Workspaces", ws, "expected a mapping of workspaces, got "+shape(ws)+"; ignored")
		return s
	}
	for _, kv := range pairs(ws) {
		k, v := kv[0], kv[1]
		path := key + ".Workspaces." + k.Value
		w := Workspace{Name: k.Value, Line: k.Line}
		if isNull(v) {
			p.problem(SevWarning, path, k, "workspace has no settings")
			s.Workspaces = append(s.Workspaces, w)
			continue
		}
		if v.Kind != yaml.MappingNode {
			p.problem(SevError, path, v, "expected a mapping of workspace settings, got "+shape(v)+"; ignored")
			continue
		}
		for _, kv := range pairs(v) {
			wk, wv := kv[0], kv[1]
			if wk.Value == "Args" {
				if isNull(wv) {
					continue
				}
				if wv.Kind != yaml.MappingNode {
					p.problem(SevError, path+".Args", wv, "expected a mapping of settings, got "+shape(wv)+"; ignored")
					continue
				}
				for _, akv := range pairs(wv) {
					w.Args = append(w.Args, p.setting(path+".Args", akv[0], akv[1]))
				}
				continue
			}
			val, ok := p.scalar(path+"."+wk.Value, wv)
			if !ok {
				continue
			}
			switch strings.ToLower(wk.Value) {
			case "workspaceid":
				w.WorkspaceID = val
			case "tenantid":
				w.TenantID = val
			case "subscriptionid":
				w.SubscriptionID = val
			case "resourcegroup":
				w.ResourceGroup = val
			case "workspacename":
				w.WorkspaceName = val
			default:
				w.Args = append(w.Args, Setting{Key: wk.Value, Value: val, Raw: val, Resolved: true, Secret: LooksSecret(wk.Value), Line: wk.Line})
			}
		}
		s.Workspaces = append(s.Workspaces, w)
	}
	return s
}

func (p *parser) keyVault(key string, kn, n *yaml.Node) *KeyVault {
	vault := &KeyVault{Line: kn.Line}
	if isNull(n) {
		return vault
	}
	if n.Kind != yaml.MappingNode {
		p.problem(SevError, key, n, "expected a mapping, got "+shape(n)+"; ignored")
		return vault
	}
	for _, kv := range pairs(n) {
		k, v := kv[0], kv[1]
		s := p.setting(key, k, v)
		vault.Settings = append(vault.Settings, s)
		switch strings.ToLower(k.Value) {
		case "tenantid":
			vault.TenantID = s.Value
		case "subscriptionid":
			vault.SubscriptionID = s.Value
		case "resourcegroup":
			vault.ResourceGroup = s.Value
		case "azureregion":
			vault.AzureRegion = s.Value
		case "vaultname":
			vault.VaultName = s.Value
		case "usekeyring":
			if b, ok := parseBool(s.Value); ok {
				vault.UseKeyring = b
			}
		case "authority":
			vault.Authority = s.Value
		case "authorityuri":
			vault.AuthorityURI = s.Value
		}
	}
	return vault
}

func (p *parser) azure(key string, kn, n *yaml.Node) {
	p.c.Azure.Line = kn.Line
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		p.problem(SevError, key, n, "expected a mapping, got "+shape(n)+"; ignored")
		return
	}
	for _, kv := range pairs(n) {
		k, v := kv[0], kv[1]
		path := key + "." + k.Value
		switch k.Value {
		case "cloud":
			if s, ok := p.scalar(path, v); ok {
				p.c.Azure.Cloud = s
			}
		case "auth_methods":
			p.c.Azure.AuthMethods = p.stringList(path, v)
		case "resource_manager_url":
			if s, ok := p.scalar(path, v); ok {
				p.c.Azure.ResourceManagerURL = s
			}
		}
	}
}

func (p *parser) msticpy(key string, kn, n *yaml.Node) {
	p.c.Msticpy.Line = kn.Line
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		p.problem(SevError, key, n, "expected a mapping, got "+shape(n)+"; ignored")
		return
	}
	for _, kv := range pairs(n) {
		k, v := kv[0], kv[1]
		path := key + "." + k.Value
		switch k.Value {
		case "FriendlyExceptions":
			if s, ok := p.scalar(path, v); ok {
				p.c.Msticpy.FriendlyExceptions = s
			}
		case "http_timeout":
			p.timeout(path, v)
		case "Proxies":
			if isNull(v) {
				continue
			}
			if v.Kind != yaml.MappingNode {
				p.problem(SevError, path, v, "expected a mapping of scheme to proxy URL, got "+shape(v)+"; ignored")
				continue
			}
			p.c.Msticpy.Proxies = map[string]string{}
			for _, kv := range pairs(v) {
				pk, pv := kv[0], kv[1]
				s := p.setting(path, pk, pv)
				p.c.Msticpy.Proxies[pk.Value] = s.Value
			}
		}
	}
}

// timeout reads http_timeout as MSTICPy does: a number ≥ 0; a mapping with
// timeout/connect (read/write/pool are accepted and ignored); a list of
// [timeout, connect]. Anything else means no timeout, with a warning.
func (p *parser) timeout(path string, n *yaml.Node) {
	num := func(n *yaml.Node) (float64, bool) {
		if n == nil || n.Kind != yaml.ScalarNode || isNull(n) {
			return 0, false
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(n.Value), 64)
		if err != nil || f < 0 {
			return 0, false
		}
		return f, true
	}
	m := &p.c.Msticpy
	switch {
	case isNull(n):
	case n.Kind == yaml.ScalarNode:
		if f, ok := num(n); ok {
			m.HTTPTimeout = f
		} else {
			p.problem(SevWarning, path, n, "expected a number of seconds ≥ 0; no timeout set")
		}
	case n.Kind == yaml.MappingNode:
		if v, ok := mapGet(n, "timeout"); ok {
			m.HTTPTimeout, _ = num(v)
		}
		if v, ok := mapGet(n, "connect"); ok {
			m.ConnectTimeout, _ = num(v)
		}
	case n.Kind == yaml.SequenceNode && len(n.Content) > 0:
		m.HTTPTimeout, _ = num(deref(n.Content[0]))
		if len(n.Content) > 1 {
			m.ConnectTimeout, _ = num(deref(n.Content[1]))
		}
	default:
		p.problem(SevWarning, path, n, "unsupported timeout shape "+shape(n)+"; no timeout set")
	}
}

// pairs returns the key/value pairs of a mapping with YAML merge keys
// ("<<: *anchor") applied: explicit keys win over merged ones, and earlier
// merged mappings win over later ones. Values are dereferenced.
func pairs(n *yaml.Node) [][2]*yaml.Node {
	return pairsDepth(n, 0)
}

func pairsDepth(n *yaml.Node, depth int) [][2]*yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode || depth > 20 {
		return nil
	}
	var own, merged [][2]*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && (k.Tag == "!!merge" || k.Tag == "") {
			srcs := []*yaml.Node{v}
			if v != nil && v.Kind == yaml.SequenceNode {
				srcs = v.Content
			}
			for _, src := range srcs {
				merged = append(merged, pairsDepth(src, depth+1)...)
			}
			continue
		}
		if seen[k.Value] {
			// a key written twice: the later value wins, in the place of
			// the first (a Python dict's update), as MSTICPy reads it
			for j := range own {
				if own[j][0].Value == k.Value {
					own[j] = [2]*yaml.Node{k, v}
					break
				}
			}
			continue
		}
		seen[k.Value] = true
		own = append(own, [2]*yaml.Node{k, v})
	}
	for _, kv := range merged {
		if !seen[kv[0].Value] {
			seen[kv[0].Value] = true
			own = append(own, kv)
		}
	}
	return own
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

func mapGet(n *yaml.Node, key string) (*yaml.Node, bool) {
	for _, kv := range pairs(n) {
		if kv[0].Value == key {
			return kv[1], true
		}
	}
	return nil, false
}

// shape names a node's kind for messages without showing its value.
func shape(n *yaml.Node) string {
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "a number"
		}
		return "a string"
	}
	return "an unexpected value"
}

func proxyPassword(u string) string {
	at := strings.LastIndex(u, "@")
	scheme := strings.Index(u, "://")
	if at < 0 {
		return ""
	}
	start := 0
	if scheme >= 0 && scheme < at {
		start = scheme + 3
	}
	userinfo := u[start:at]
	if i := strings.Index(userinfo, ":"); i >= 0 {
		return userinfo[i+1:]
	}
	return ""
}

// suggest returns the name of known closest to name when it is close enough
// to be a likely typo (edit distance at most max(2, len/3), or one is a
// prefix of the other), else "".
func suggest(name string, known []string) string {
	best, bestD := "", 1<<30
	ln := strings.ToLower(name)
	for _, k := range known {
		lk := strings.ToLower(k)
		d := editDistance(ln, lk)
		if strings.HasPrefix(lk, ln) || strings.HasPrefix(ln, lk) {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = k, d
		}
	}
	if bestD <= max(2, len(name)/3) {
		return best
	}
	return ""
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
