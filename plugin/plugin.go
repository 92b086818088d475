// Package plugin owns plugin folders, msticgo's counterpart of MSTICPy's
// load_plugins and PluginFolders: it scans folders in a fixed order, turns
// every plugin file into registry entries (declarative HTTP providers,
// executable plugins, Starlark scripts), lists the query files found beside
// them, and reports what registered, under which names, and what failed and
// why. Loading reads and checks definitions only; no plugin process starts
// until a provider is first used.
package plugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	osexec "os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/msticgo/msticgo/internal/yamlpos"

	"github.com/msticgo/msticgo/plugin/exec"
	"github.com/msticgo/msticgo/plugin/star"
	"github.com/msticgo/msticgo/registry"
	"github.com/msticgo/msticgo/ti/httpprov"
)

// The ways a plugin can be written.
const (
	WayDeclarative = "declarative"
	WayExecutable  = "executable"
	WayStarlark    = "starlark"
)

// Options tune Load.
type Options struct {
	// BaseDir is the folder relative plugin folders resolve against; ""
	// means the current directory. PluginFolders from a config file use the
	// config file's folder; --plugins uses the current directory.
	BaseDir string
	// Logger receives plugin logs (stderr lines of executables, Starlark
	// print). Nil discards.
	Logger *slog.Logger
	// HostVersion is sent to executable plugins in initialize.
	HostVersion string
}

// TestCase is one declared test input of a plugin (plugin.yaml test_data,
// Starlark TEST_DATA, declarative examples).
type TestCase struct {
	Ioc     string
	IocType string
	SubType string
	Query   string
	Expect  string
}

// Loaded describes one registered plugin.
type Loaded struct {
	Kind    registry.Kind
	Name    string
	Aliases []string
	Version string
	Way     string // declarative, executable, starlark
	Path    string // the plugin file or folder
	// ExternalService is set when the plugin declares it sends indicators
	// to a third party (executables) or calls a URL (declarative).
	ExternalService bool
	TestData        []TestCase
}

// Problem is one file that could not be loaded, or a folder that could
// not be read.
type Problem struct {
	Path string
	Err  error
}

func (p Problem) Error() string {
	msg := p.Err.Error()
	if strings.HasPrefix(msg, p.Path) {
		return msg // the error already names the file (with its line)
	}
	return p.Path + ": " + msg
}

func (p Problem) Unwrap() error { return p.Err }

// Note is a file that was skipped on purpose, with the reason.
type Note struct {
	Path   string
	Reason string
}

// Report is the outcome of Load.
type Report struct {
	Folders    []string // absolute folders read, in order
	Loaded     []Loaded
	Problems   []Problem
	Notes      []Note
	QueryFiles []string // *.yaml files with sources: (for the query store)

	mu      sync.Mutex
	closers []io.Closer
}

// Err joins every problem, or is nil.
func (r *Report) Err() error {
	if len(r.Problems) == 0 {
		return nil
	}
	errs := make([]error, len(r.Problems))
	for i, p := range r.Problems {
		errs[i] = p
	}
	return errors.Join(errs...)
}

// Close ends the processes of every executable plugin instance created
// from this load (graceful first, then the whole process group is killed).
func (r *Report) Close() error {
	r.mu.Lock()
	cl := r.closers
	r.closers = nil
	r.mu.Unlock()
	var errs []error
	for _, c := range cl {
		if err := c.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Merge appends another report's contents.
func (r *Report) Merge(o *Report) {
	r.Folders = append(r.Folders, o.Folders...)
	r.Loaded = append(r.Loaded, o.Loaded...)
	r.Problems = append(r.Problems, o.Problems...)
	r.Notes = append(r.Notes, o.Notes...)
	r.QueryFiles = append(r.QueryFiles, o.QueryFiles...)
	o.mu.Lock()
	cl := o.closers
	o.closers = nil
	o.mu.Unlock()
	r.mu.Lock()
	r.closers = append(r.closers, cl...)
	r.mu.Unlock()
}

// Load reads each folder in order and registers its plugins into reg.
// Within a folder, entries are visited in sorted name order; a bad file is
// reported once and never stops the others; a name clash keeps the first
// registration and reports the second with both sources. A folder that
// does not exist is one problem; the other folders still load. A folder
// that itself holds plugin.yaml is loaded as one executable plugin.
func Load(ctx context.Context, reg *registry.Registry, folders []string, opts Options) *Report {
	rep := &Report{}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	seen := map[string]bool{}
	for _, f := range folders {
		if ctx.Err() != nil {
			rep.Problems = append(rep.Problems, Problem{Path: f, Err: ctx.Err()})
			break
		}
		dir := ResolveFolder(f, opts.BaseDir)
		if seen[dir] {
			rep.Notes = append(rep.Notes, Note{Path: dir, Reason: "folder listed twice; read once"})
			continue
		}
		seen[dir] = true
		st, err := os.Stat(dir)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				err = fmt.Errorf("plugin folder does not exist (given as %q)", f)
			}
			rep.Problems = append(rep.Problems, Problem{Path: dir, Err: err})
			continue
		}
		if !st.IsDir() {
			rep.Problems = append(rep.Problems, Problem{Path: dir, Err: fmt.Errorf("not a folder (given as %q)", f)})
			continue
		}
		rep.Folders = append(rep.Folders, dir)
		loadFolder(reg, dir, log, opts.HostVersion, rep)
	}
	return rep
}

// ResolveFolder makes a folder absolute: "~/" is the home folder, other
// relative paths are joined to base (the current directory when base is "").
func ResolveFolder(f, base string) string {
	f = strings.TrimSpace(f)
	if f == "~" || strings.HasPrefix(f, "~/") || strings.HasPrefix(f, `~\`) {
		if home, err := os.UserHomeDir(); err == nil {
			f = filepath.Join(home, f[1:])
		}
	}
	if !filepath.IsAbs(f) {
		if base == "" {
			base, _ = os.Getwd()
		}
		f = filepath.Join(base, f)
	}
	if abs, err := filepath.Abs(f); err == nil {
		f = abs
	}
	return filepath.Clean(f)
}

// outcome is what one plugin file yields; files are parsed in parallel and
// their outcomes applied in sorted order, so the result never depends on
// timing.
type outcome struct {
	path     string
	reg      *registry.Registration
	way      string
	external bool
	tests    []TestCase
	closer   io.Closer
	problem  error
	query    bool
	note     string
}

func loadFolder(reg *registry.Registry, dir string, log *slog.Logger, hostVersion string, rep *Report) {
	if fileExists(filepath.Join(dir, exec.ManifestName)) {
		apply(reg, rep, loadExec(dir, log, hostVersion))
		return
	}
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		rep.Problems = append(rep.Problems, Problem{Path: dir, Err: err})
		return
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	var jobs []func() outcome
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(dir, name)
		if strings.HasPrefix(name, ".") {
			continue
		}
		if e.IsDir() {
			if fileExists(filepath.Join(path, exec.ManifestName)) {
				jobs = append(jobs, func() outcome { return loadExec(path, log, hostVersion) })
			}
			continue
		}
		switch strings.ToLower(filepath.Ext(name)) {
		case ".star":
			jobs = append(jobs, func() outcome { return loadStar(path, log) })
		case ".yaml", ".yml":
			jobs = append(jobs, func() outcome { return loadYAML(path) })
		case ".py":
			jobs = append(jobs, func() outcome {
				return outcome{path: path, note: "Python modules are not imported; run the provider as an executable plugin with the msticgo_plugin SDK (docs/plugins.md)"}
			})
		}
	}
	outs := make([]outcome, len(jobs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	for i, job := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			outs[i] = job()
		}()
	}
	wg.Wait()
	for _, o := range outs {
		apply(reg, rep, o)
	}
}

func apply(reg *registry.Registry, rep *Report, o outcome) {
	switch {
	case o.problem != nil:
		for _, err := range splitErrors(o.problem) {
			rep.Problems = append(rep.Problems, Problem{Path: o.path, Err: err})
		}
	case o.query:
		rep.QueryFiles = append(rep.QueryFiles, o.path)
	case o.note != "":
		rep.Notes = append(rep.Notes, Note{Path: o.path, Reason: o.note})
	case o.reg != nil:
		r := *o.reg
		if r.Meta == nil {
			r.Meta = map[string]any{}
		}
		r.Meta["way"] = o.way
		if err := reg.Register(r); err != nil {
			rep.Problems = append(rep.Problems, Problem{Path: o.path, Err: err})
			return
		}
		rep.Loaded = append(rep.Loaded, Loaded{
			Kind: r.Kind, Name: r.Name, Aliases: r.Aliases, Version: r.Version, Way: o.way, Path: o.path,
			ExternalService: o.external, TestData: o.tests,
		})
		if o.closer != nil {
			rep.mu.Lock()
			rep.closers = append(rep.closers, o.closer)
			rep.mu.Unlock()
		}
	}
}

func loadExec(dir string, log *slog.Logger, hostVersion string) outcome {
	def, err := exec.Load(dir, log)
	if err != nil {
		return outcome{path: filepath.Join(dir, exec.ManifestName), problem: err}
	}
	def.HostVersion = hostVersion
	m := def.Manifest
	if !isProgram(m) {
		return outcome{path: m.Path, problem: fmt.Errorf("command: program %q not found (looked in the plugin folder and on PATH)", m.Command[0])}
	}
	var tests []TestCase
	for _, tc := range m.TestData {
		tests = append(tests, TestCase{Ioc: tc.Ioc, IocType: tc.IocType, SubType: tc.SubType, Query: tc.Query, Expect: tc.Expect})
	}
	r := def.Registration()
	return outcome{path: m.Path, reg: &r, way: WayExecutable, external: m.Privacy.ExternalService, tests: tests, closer: def}
}

func isProgram(m *exec.Manifest) bool {
	prog := m.Command[0]
	if filepath.IsAbs(prog) {
		return fileExists(prog)
	}
	if strings.ContainsAny(prog, `/\`) {
		return fileExists(filepath.Join(m.Dir, prog))
	}
	_, err := osexec.LookPath(prog)
	return err == nil
}

func loadStar(path string, log *slog.Logger) outcome {
	s, err := star.Load(path, log)
	if err != nil {
		return outcome{path: path, problem: err}
	}
	var tests []TestCase
	for _, m := range s.TestData {
		str := func(k string) string { v, _ := m[k].(string); return v }
		tests = append(tests, TestCase{Ioc: str("ioc"), IocType: str("ioc_type"), SubType: str("query_subtype"), Query: str("query"), Expect: str("expect")})
	}
	r := s.Registration()
	return outcome{path: path, reg: &r, way: WayStarlark, tests: tests}
}

// loadYAML sorts a YAML file: query file (sources:), declarative provider
// (kind: ti|context), or a problem.
func loadYAML(path string) outcome {
	data, err := os.ReadFile(path)
	if err != nil {
		return outcome{path: path, problem: err}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return outcome{path: path, problem: fmt.Errorf("not valid YAML: %s", yamlpos.Message(data, err))}
	}
	var top *yaml.Node
	if len(root.Content) > 0 && root.Content[0].Kind == yaml.MappingNode {
		top = root.Content[0]
	}
	key := func(k string) *yaml.Node {
		if top == nil {
			return nil
		}
		for i := 0; i+1 < len(top.Content); i += 2 {
			if top.Content[i].Value == k {
				return top.Content[i+1]
			}
		}
		return nil
	}
	if key("sources") != nil {
		return outcome{path: path, query: true}
	}
	kind := key("kind")
	if kind == nil {
		return outcome{path: path, problem: errors.New("not a plugin file: a YAML file in a plugin folder is a declarative provider (kind: ti or context) or a query file (sources:)")}
	}
	if k, err := registry.ParseKind(kind.Value); err == nil && k == registry.KindData {
		return outcome{path: path, problem: fmt.Errorf("%s:%d: kind: declarative providers are ti or context; write a data driver as an executable or Starlark plugin", path, kind.Line)}
	}
	def, err := httpprov.ParseDefinition(path, data)
	if err != nil {
		return outcome{path: path, problem: err}
	}
	var tests []TestCase
	types := make([]string, 0, len(def.ExampleIoC))
	for t := range def.ExampleIoC {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		tests = append(tests, TestCase{Ioc: def.ExampleIoC[t], IocType: t})
	}
	r := def.Registration(registry.PluginSource(path))
	return outcome{path: path, reg: &r, way: WayDeclarative, external: def.BaseURL != "", tests: tests}
}

// splitErrors unpacks joined errors (errors.Join, or any error with
// Unwrap() []error) so that each problem of a file is its own Problem: one
// row, one stderr line, counted once.
func splitErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			if e != nil {
				out = append(out, splitErrors(e)...)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return []error{err}
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
