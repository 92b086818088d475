// Package star owns Starlark plugins: *.star scripts in Python syntax that
// define a TI, context or data provider. A script is compiled and its
// globals checked when it loads; each provider instance runs it in a
// sandbox whose only host modules are http (timeout, size cap, optional
// host allow-list), json and time, with a step limit per call and
// cancellation from the call's context. The sandbox does not limit memory:
// untrusted code belongs in an executable plugin.
package star

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"go.starlark.net/lib/json"
	sttime "go.starlark.net/lib/time"
	"go.starlark.net/resolve"
	"go.starlark.net/starlark"
	"go.starlark.net/syntax"

	"github.com/msticgo/msticgo/plugin/internal/notconfigured"
	"github.com/msticgo/msticgo/registry"
)

// Default limits.
const (
	// DefaultMaxSteps is the step budget of one call (lookup, connect, query).
	DefaultMaxSteps = 10_000_000
	// LoadMaxSteps is the step budget of the script's top level.
	LoadMaxSteps = 1_000_000
	// MaxScriptSize is the largest script accepted.
	MaxScriptSize = 1 << 20
)

var fileOptions = &syntax.FileOptions{Set: true, While: true, TopLevelControl: true}

// predeclaredNames are the host modules; nothing else is offered.
var predeclaredNames = map[string]bool{"http": true, "json": true, "time": true}

// Script is a compiled, checked Starlark plugin.
type Script struct {
	Path             string
	Kind             registry.Kind
	Name             string
	Aliases          []string
	DataEnvironments []string
	Supported        []string
	Version          string
	Description      string
	// Override is OVERRIDE = True: replace a built-in of the same name
	// (reported in listings).
	Override bool
	// TestData is TEST_DATA: a list of dicts {ioc, ioc_type} or {query}.
	TestData []map[string]any
	// Settings is SETTINGS: the settings the script reads from its
	// entry's Args. A required one that is missing (or empty) makes the
	// entry "not configured" (no call made); a secret one is scrubbed
	// from prints, errors and results.
	Settings []Setting
	// MaxSteps bounds each call; 0 means DefaultMaxSteps.
	MaxSteps uint64
	Logger   *slog.Logger

	prog *starlark.Program
}

// Setting is one entry of SETTINGS.
type Setting struct {
	Name        string
	Required    bool
	Secret      bool
	Description string
}

// NotConfiguredError names the required settings (SETTINGS) missing from
// the entry's Args.
type NotConfiguredError = notconfigured.Error

// Error is a script error with its position.
type Error struct {
	Path string
	Line int
	Col  int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// Load reads, compiles and checks a script. Its top level runs once (with
// no network) to read the globals.
func Load(path string, log *slog.Logger) (*Script, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("starlark plugin: %w", err)
	}
	return Parse(path, src, log)
}

// Parse compiles and checks a script's source.
func Parse(path string, src []byte, log *slog.Logger) (*Script, error) {
	if len(src) > MaxScriptSize {
		return nil, &Error{Path: path, Msg: "script larger than 1 MiB"}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	file, prog, err := starlark.SourceProgramOptions(fileOptions, path, src, func(n string) bool { return predeclaredNames[n] })
	if err != nil {
		return nil, positionError(path, err)
	}
	s := &Script{Path: path, prog: prog, Logger: log}
	thread := &starlark.Thread{Name: "load " + path, Print: s.print, Load: noLoad}
	thread.SetMaxExecutionSteps(LoadMaxSteps)
	globals, err := prog.Init(thread, predeclared())
	if err != nil {
		return nil, positionError(path, err)
	}
	if err := s.readGlobals(globals, globalLines(file)); err != nil {
		return nil, err
	}
	return s, nil
}

// globalLines maps each top-level name (assignment or def) to the line of
// its last definition, so that problems with globals carry a line.
func globalLines(f *syntax.File) map[string]syntax.Position {
	lines := map[string]syntax.Position{}
	if f == nil {
		return lines
	}
	for _, st := range f.Stmts {
		switch st := st.(type) {
		case *syntax.AssignStmt:
			if id, ok := st.LHS.(*syntax.Ident); ok {
				lines[id.Name] = id.NamePos
			}
		case *syntax.DefStmt:
			lines[st.Name.Name] = st.Name.NamePos
		}
	}
	return lines
}

// readGlobals reads and checks the globals, recording every problem (one
// *Error each, with the line of the global when known) rather than only
// the first.
func (s *Script) readGlobals(g starlark.StringDict, lines map[string]syntax.Position) error {
	var errs []error
	bad := func(name, format string, a ...any) {
		pos := lines[name]
		errs = append(errs, &Error{Path: s.Path, Line: int(pos.Line), Col: int(pos.Col), Msg: name + ": " + fmt.Sprintf(format, a...)})
	}
	str := func(name string) string {
		v, ok := g[name]
		if !ok || v == starlark.None {
			return ""
		}
		sv, ok := starlark.AsString(v)
		if !ok {
			bad(name, "want a string, got %s", v.Type())
			return ""
		}
		return strings.TrimSpace(sv)
	}
	strs := func(name string) []string {
		v, ok := g[name]
		if !ok || v == starlark.None {
			return nil
		}
		if sv, ok := starlark.AsString(v); ok {
			return []string{sv}
		}
		it, ok := v.(starlark.Iterable)
		if !ok {
			bad(name, "want a list of strings, got %s", v.Type())
			return nil
		}
		var out []string
		iter := it.Iterate()
		defer iter.Done()
		var x starlark.Value
		for iter.Next(&x) {
			sv, ok := starlark.AsString(x)
			if !ok {
				bad(name, "want a list of strings, found %s", x.Type())
				return nil
			}
			out = append(out, sv)
		}
		return out
	}
	kind := str("KIND")
	s.Name = str("PROVIDER_NAME")
	s.DataEnvironments = strs("DATA_ENVIRONMENTS")
	s.Aliases = strs("ALIASES")
	s.Supported = strs("SUPPORTED")
	s.Version = str("VERSION")
	s.Description = str("DESCRIPTION")
	if v, ok := g["OVERRIDE"]; ok && v != starlark.None {
		if b, ok := v.(starlark.Bool); !ok {
			bad("OVERRIDE", "want True or False, got %s", v.Type())
		} else {
			s.Override = bool(b)
		}
	}
	if kind == "" {
		switch {
		case isFunc(g, "query"):
			kind = "data"
		case isFunc(g, "lookup"):
			kind = "ti"
		default:
			if v, set := g["KIND"]; !set || v == starlark.None || isStarString(v) { // else: reported as not a string
				bad("KIND", "not set, and the script defines neither lookup nor query")
			}
		}
	}
	k := registry.Kind("")
	if kind != "" {
		var err error
		if k, err = registry.ParseKind(kind); err != nil {
			bad("KIND", "%v", err)
		}
	}
	s.Kind = k
	base := strings.TrimSuffix(filepath.Base(s.Path), filepath.Ext(s.Path))
	s.Name = registry.ProviderName(s.Name, base)
	switch k {
	case "": // reported above
	case registry.KindData:
		if !isFunc(g, "query") {
			bad("query", "a data plugin must define query(text, params)")
		}
		if len(s.Aliases) > 0 {
			bad("ALIASES", "data plugins list their names in DATA_ENVIRONMENTS")
		}
	default:
		if !isFunc(g, "lookup") {
			bad("lookup", "a %s plugin must define lookup(ioc, ioc_type, settings)", k)
		} else if n := g["lookup"].(*starlark.Function).NumParams(); n < 3 || n > 4 {
			bad("lookup", "takes %d parameters; want lookup(ioc, ioc_type, settings) or lookup(ioc, ioc_type, settings, query_subtype)", n)
		}
		if len(s.DataEnvironments) > 0 {
			bad("DATA_ENVIRONMENTS", "only data plugins have data environments; use ALIASES")
		}
	}
	if td, ok := g["TEST_DATA"]; ok && td != starlark.None {
		v, err := toGo(td)
		list, isList := v.([]any)
		switch {
		case err != nil:
			bad("TEST_DATA", "%v", err)
		case !isList:
			bad("TEST_DATA", "want a list of dicts")
		default:
			for i, e := range list {
				m, ok := e.(map[string]any)
				if !ok {
					bad("TEST_DATA", "item %d: want a dict", i+1)
					continue
				}
				s.TestData = append(s.TestData, m)
			}
		}
	}
	if st, ok := g["SETTINGS"]; ok && st != starlark.None {
		s.readSettings(st, func(format string, a ...any) { bad("SETTINGS", format, a...) })
	}
	return errors.Join(errs...)
}

// readSettings checks SETTINGS: a list of dicts with "name" (required),
// "required", "secret" (booleans) and "description". Every problem goes to
// bad.
func (s *Script) readSettings(v starlark.Value, bad func(format string, a ...any)) {
	gv, err := toGo(v)
	if err != nil {
		bad("%v", err)
		return
	}
	list, ok := gv.([]any)
	if !ok {
		bad("want a list of dicts such as {\"name\": \"AuthKey\", \"required\": True, \"secret\": True}")
		return
	}
	seen := map[string]bool{}
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			bad("item %d: want a dict such as {\"name\": \"AuthKey\", \"required\": True}", i+1)
			continue
		}
		var st Setting
		for _, k := range slices.Sorted(maps.Keys(m)) {
			x := m[k]
			switch k {
			case "name":
				settingField(x, &st.Name, "a string", i, k, bad)
				st.Name = strings.TrimSpace(st.Name)
			case "description":
				settingField(x, &st.Description, "a string", i, k, bad)
			case "required":
				settingField(x, &st.Required, "True or False", i, k, bad)
			case "secret":
				settingField(x, &st.Secret, "True or False", i, k, bad)
			default:
				bad("item %d: unknown key %q (want name, required, secret, description)", i+1, k)
			}
		}
		if _, named := m["name"]; !named || (st.Name == "" && isString(m["name"])) {
			bad("item %d: name is required", i+1)
			continue
		}
		if st.Name == "" {
			continue
		}
		if seen[strings.ToLower(st.Name)] {
			bad("item %d: %s listed twice", i+1, st.Name)
			continue
		}
		seen[strings.ToLower(st.Name)] = true
		s.Settings = append(s.Settings, st)
	}
}

// settingField sets *dst to x when x is a T; otherwise it reports key k of
// item i (0-based) as not being want.
func settingField[T any](x any, dst *T, want string, i int, k string, bad func(format string, a ...any)) {
	v, ok := x.(T)
	if !ok {
		bad("item %d: %s: want %s", i+1, k, want)
		return
	}
	*dst = v
}

func isString(v any) bool { _, ok := v.(string); return ok }

func isStarString(v starlark.Value) bool { _, ok := starlark.AsString(v); return ok }

// missingSettings lists the required settings absent or empty in args
// (names compared in any case, as config Args are), sorted.
func (s *Script) missingSettings(args map[string]string) []string {
	var missing []string
	for _, st := range s.Settings {
		if !st.Required {
			continue
		}
		found := false
		for k, v := range args {
			if strings.EqualFold(k, st.Name) && v != "" {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, st.Name)
		}
	}
	sort.Strings(missing)
	return missing
}

// secretSetting reports whether SETTINGS marks the setting name secret.
func (s *Script) secretSetting(name string) bool {
	for _, st := range s.Settings {
		if st.Secret && strings.EqualFold(st.Name, name) {
			return true
		}
	}
	return false
}

func isFunc(g starlark.StringDict, name string) bool {
	_, ok := g[name].(*starlark.Function)
	return ok
}

// Names is the friendly name followed by the aliases, by MSTICPy's rules.
func (s *Script) Names() []string {
	if s.Kind == registry.KindData {
		base := strings.TrimSuffix(filepath.Base(s.Path), filepath.Ext(s.Path))
		// PROVIDER_NAME, when set, stands for the type name.
		return registry.DataNames(s.DataEnvironments, registry.ProviderName(s.Name, base))
	}
	return append([]string{s.Name}, s.Aliases...)
}

// Registration is the registry entry for the script.
func (s *Script) Registration() registry.Registration {
	names := s.Names()
	meta := map[string]any{"way": "starlark"}
	if len(s.Supported) > 0 {
		meta["ioc_types"] = append([]string(nil), s.Supported...)
	}
	var required, secrets []string
	for _, st := range s.Settings {
		if st.Required {
			required = append(required, st.Name)
		}
		if st.Secret {
			secrets = append(secrets, st.Name)
		}
	}
	if len(required) > 0 {
		meta["required"] = required
	}
	if len(secrets) > 0 {
		meta["secrets"] = secrets
	}
	return registry.Registration{
		Kind: s.Kind, Name: names[0], Aliases: names[1:],
		Description: s.Description, Version: s.Version, Override: s.Override,
		Source: registry.PluginSource(s.Path), Factory: s.Factory, Meta: meta,
	}
}

// Factory runs the script's top level for a new instance (no network) and
// returns a *Provider (ti/context) or *Driver (data).
func (s *Script) Factory(ctx context.Context, args registry.FactoryArgs) (any, error) {
	log := s.Logger
	if args.Logger != nil {
		log = args.Logger
	}
	if missing := s.missingSettings(args.Settings); len(missing) > 0 {
		return nil, &NotConfiguredError{Plugin: s.Name, Missing: missing}
	}
	thread := &starlark.Thread{Name: "init " + s.Path, Print: s.print, Load: noLoad}
	thread.SetMaxExecutionSteps(LoadMaxSteps)
	globals, err := s.prog.Init(thread, predeclared())
	if err != nil {
		return nil, positionError(s.Path, err)
	}
	globals.Freeze()
	settings := starlark.NewDict(len(args.Settings) + 1)
	var secrets []string
	for k, v := range args.Settings {
		_ = settings.SetKey(starlark.String(k), starlark.String(v))
		if (args.Secrets[k] || s.secretSetting(k)) && v != "" {
			secrets = append(secrets, v)
		}
	}
	loadedAs := args.LoadedAs
	if loadedAs == "" {
		loadedAs = s.Name
	}
	// A declared setting written in another case in the config (authkey)
	// is also given under its declared name, as config Args match names
	// in any case.
	for _, st := range s.Settings {
		if _, ok := args.Settings[st.Name]; ok {
			continue
		}
		for k, v := range args.Settings {
			if strings.EqualFold(k, st.Name) {
				_ = settings.SetKey(starlark.String(st.Name), starlark.String(v))
				break
			}
		}
	}
	_ = settings.SetKey(starlark.String("loaded_as"), starlark.String(loadedAs))
	settings.Freeze()
	inst := &instance{
		script: s, globals: globals, settings: settings, log: log,
		http: newHTTPConfig(args.Settings), secrets: secrets,
	}
	if s.Kind == registry.KindData {
		return &Driver{inst: inst}, nil
	}
	return &Provider{inst: inst}, nil
}

func (s *Script) print(_ *starlark.Thread, msg string) {
	s.Logger.Info("starlark print", "plugin", s.Path, "message", msg)
}

// noLoad refuses load statements: a plugin is one self-contained file.
func noLoad(_ *starlark.Thread, module string) (starlark.StringDict, error) {
	return nil, fmt.Errorf("cannot load %s: a Starlark plugin cannot load other files; put the code in this script", module)
}

func predeclared() starlark.StringDict {
	return starlark.StringDict{"http": httpModule, "json": json.Module, "time": sttime.Module}
}

// positionError gives a starlark error the script's file:line:col.
func positionError(path string, err error) error {
	var ee *starlark.EvalError
	if errors.As(err, &ee) {
		e := &Error{Path: path, Msg: ee.Msg}
		for i := len(ee.CallStack) - 1; i >= 0; i-- {
			fr := ee.CallStack[i]
			if fr.Pos.Filename() == path && fr.Pos.Line > 0 {
				e.Line, e.Col = int(fr.Pos.Line), int(fr.Pos.Col)
				if fr.Name != "" && fr.Name != "<toplevel>" {
					e.Msg += " (in " + fr.Name + ")"
				}
				break
			}
		}
		return e
	}
	var se syntax.Error
	if errors.As(err, &se) {
		return &Error{Path: path, Line: int(se.Pos.Line), Col: int(se.Pos.Col), Msg: se.Msg}
	}
	var rl resolve.ErrorList
	if errors.As(err, &rl) && len(rl) > 0 {
		// Every name the resolver rejects is its own problem.
		errs := make([]error, len(rl))
		for i, r := range rl {
			errs[i] = &Error{Path: path, Line: int(r.Pos.Line), Col: int(r.Pos.Col), Msg: r.Msg}
		}
		if len(errs) == 1 {
			return errs[0]
		}
		return errors.Join(errs...)
	}
	return err
}
