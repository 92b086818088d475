package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/msticgo/msticgo/config"
	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/plugin"
	"github.com/msticgo/msticgo/registry"
	"github.com/msticgo/msticgo/table"
)

// pluginReports keeps each run's plugin load report (App has no field for
// it): `plugins list` shows it and PluginQueryFiles reads it.
var pluginReports sync.Map // *App → *plugin.Report

func init() {
	registryHooks = append(registryHooks, loadPluginFolders)
	addCommand(pluginsCommand)
}

// loadPluginFolders is the registry hook: PluginFolders from the config
// (relative to the config file's folder), then --plugins (relative to the
// current directory). Each problem is logged once as a warning naming the
// file; everything that loaded stays registered and usable (as MSTICPy
// warns about a plugin it cannot import and goes on).
func loadPluginFolders(a *App, r *registry.Registry) error {
	rep := &plugin.Report{}
	pluginReports.Store(a, rep)
	ctx := a.Context()
	var errs []error
	cfg, err := a.Config()
	if err != nil {
		errs = append(errs, err)
	}
	if cfg != nil && len(cfg.PluginFolderList) > 0 {
		// the folders as written, resolved by the loader against the
		// config's folder, so a problem says how the folder was given
		var written []string
		for _, f := range cfg.PluginFolderList {
			written = append(written, f.Written)
		}
		rep.Merge(plugin.Load(ctx, r, written, plugin.Options{BaseDir: cfg.Dir(), Logger: a.Logger(), HostVersion: "msticgo " + Version}))
	}
	if dirs := a.PluginDirs(); len(dirs) > 0 {
		rep.Merge(plugin.Load(ctx, r, dirs, plugin.Options{Logger: a.Logger(), HostVersion: "msticgo " + Version}))
	}
	for _, n := range rep.Notes {
		a.Logger().Debug("plugin file skipped", "path", n.Path, "reason", n.Reason)
	}
	// Each command closes the providers and drivers it creates, which ends
	// their plugin processes (graceful first, then the process group); on
	// an interrupt everything this load created is closed at once.
	context.AfterFunc(ctx, func() { _ = rep.Close() })
	if !a.configReport { // config validate lists them in its table
		for _, p := range rep.Problems {
			a.Logger().Warn("plugin not loaded: " + oneLine(p.Error()))
		}
	}
	return errors.Join(errs...)
}

// pluginLoadProblems turns this run's plugin load problems into config
// problems for config validate, as warnings (a plugin that does not load
// leaves the others usable, as MSTICPy warns and goes on): one under a
// PluginFolders folder has the config file and the folder's line and path
// (PluginFolders[i]); one under a --plugins folder has the path --plugins.
// A problem met twice (the same folder in both) is listed once.
func pluginLoadProblems(a *App, cfg *config.Config) []config.Problem {
	var out []config.Problem
	seen := map[string]bool{}
	for _, p := range a.PluginReport().Problems {
		msg := "plugin not loaded: " + oneLine(p.Error())
		if seen[msg] {
			continue // a folder both in PluginFolders and --plugins
		}
		seen[msg] = true
		pr := config.Problem{Path: "--plugins", Severity: config.SevWarning, Message: msg}
		for i, f := range cfg.PluginFolderList {
			dir := plugin.ResolveFolder(f.Written, cfg.Dir())
			if p.Path == dir || strings.HasPrefix(p.Path, dir+string(filepath.Separator)) {
				pr.File, pr.Line, pr.Path = cfg.Path, f.Line, fmt.Sprintf("PluginFolders[%d]", i)
				break
			}
		}
		out = append(out, pr)
	}
	return out
}

// PluginReport returns this run's plugin load report (loading the registry
// first if needed).
func (a *App) PluginReport() *plugin.Report {
	_, _ = a.Registry()
	if v, ok := pluginReports.Load(a); ok {
		return v.(*plugin.Report)
	}
	return &plugin.Report{}
}

// PluginQueryFiles lists the query files (*.yaml with sources:) found in
// plugin folders, for the query store.
func (a *App) PluginQueryFiles() []string {
	return append([]string(nil), a.PluginReport().QueryFiles...)
}

func pluginsCommand(a *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "plugins",
		Aliases: []string{"plugin"},
		Short:   "List, validate and test plugins (declarative, executable, Starlark)",
		Long: `Plugins add providers from folders: PluginFolders in msticpyconfig.yaml
(relative to the config file's folder) and --plugins DIR (relative to the
current directory). See docs/plugins.md.`,
	}
	var health bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List loaded plugins: kind, name, aliases, version, way, source, state",
		Long: `List every plugin provider with its state: loaded, not configured (a
required setting is missing from its config entry) or unavailable (with the
reason). Files that failed to load are listed with the error. With --health
each plugin is started and asked for its health.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.Config()
			if err != nil {
				return err
			}
			reg, regErr := a.Registry()
			if reg == nil {
				return regErr
			}
			f := table.NewStrings("kind", "name", "aliases", "version", "way", "source", "state")
			for _, r := range reg.List() {
				if r.Source.Type != "plugin" {
					continue
				}
				way, _ := r.Meta["way"].(string)
				state := pluginState(cfg, &r)
				if health && state == "loaded" {
					state = healthState(cmd.Context(), a, cfg, &r)
				}
				if r.Overrode != nil {
					state += " (overrides " + r.Overrode.String() + ")"
				}
				f.Append(string(r.Kind), r.Name, strings.Join(r.Aliases, ", "), r.Version, way, r.Source.Path, state)
			}
			rep := a.PluginReport()
			for _, p := range rep.Problems {
				f.Append("", filepath.Base(p.Path), "", "", "", p.Path, "error: "+oneLine(p.Err.Error()))
			}
			defer rep.Close()
			if err := a.Write(f); err != nil {
				return err
			}
			if regErr != nil {
				return regErr
			}
			if n := len(rep.Problems); n > 0 {
				files := map[string]bool{}
				for _, p := range rep.Problems {
					files[p.Path] = true
				}
				return UsageErrorf("%d problem(s) in %d plugin file(s) or folder(s) that could not be loaded (see the error rows)", n, len(files))
			}
			return nil
		},
	}
	list.Flags().BoolVar(&health, "health", false, "start each configured plugin and ask for its health")
	validate := &cobra.Command{
		Use:   "validate [DIR...]",
		Short: "Check plugin folders and report every problem (exit 2 if any)",
		Long: `Load the folders into a scratch registry (beside the built-ins, so name
clashes show) and list every plugin file with its result. Each problem is
also one line on stderr naming the file (and line). Exit 2 if any. With no
DIR, the run's own folders: PluginFolders of the config, then --plugins.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			args, err := pluginFoldersFor(a, "validate", args)
			if err != nil {
				return err
			}
			reg := registry.Default.Clone()
			rep := plugin.Load(cmd.Context(), reg, args, plugin.Options{Logger: a.Logger(), HostVersion: "msticgo " + Version})
			defer rep.Close()
			f := table.NewStrings("path", "kind", "name", "way", "result")
			for _, l := range rep.Loaded {
				f.Append(l.Path, string(l.Kind), strings.Join(append([]string{l.Name}, l.Aliases...), ", "), l.Way, "ok")
			}
			for _, q := range rep.QueryFiles {
				f.Append(q, "", "", "query file", "ok (for the query store)")
			}
			for _, p := range rep.Problems {
				f.Append(p.Path, "", "", "", "error: "+oneLine(p.Err.Error()))
			}
			for _, n := range rep.Notes {
				f.Append(n.Path, "", "", "", "skipped: "+n.Reason)
			}
			if err := a.Write(f); err != nil {
				return err
			}
			return problemsError(rep, args)
		},
	}
	var timeout time.Duration
	test := &cobra.Command{
		Use:   "test [DIR...]",
		Short: "Run each plugin's declared test data through it",
		Long: `Load the folders, then run every plugin's test data (plugin.yaml test_data,
Starlark TEST_DATA, declarative examples) through it, with the settings of
its config entry when there is one. A plugin that lacks a required setting
(no config entry, or no AuthKey in it) is "skipped: not configured", not a
failure. Exit 2 if a plugin file or folder does not load (each problem is
one line on stderr naming the file), else 3 if any test fails. With no DIR,
the run's own folders: PluginFolders of the config, then --plugins.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.Config()
			if err != nil {
				return err
			}
			if args, err = pluginFoldersFor(a, "test", args); err != nil {
				return err
			}
			reg := registry.Default.Clone()
			rep := plugin.Load(cmd.Context(), reg, args, plugin.Options{Logger: a.Logger(), HostVersion: "msticgo " + Version})
			defer rep.Close()
			f := table.NewStrings("kind", "name", "input", "status", "detail")
			failed := 0
			for _, p := range rep.Problems {
				f.Append("", filepath.Base(p.Path), "", "load error", oneLine(p.Err.Error()))
			}
			for _, l := range rep.Loaded {
				if len(l.TestData) == 0 {
					f.Append(string(l.Kind), l.Name, "", "skipped", "no test data declared")
					continue
				}
				r, err := reg.Lookup(l.Kind, l.Name)
				if err != nil {
					return err
				}
				for _, tc := range l.TestData {
					ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
					input, status, detail, ok := runPluginTest(ctx, a, cfg, r, tc)
					cancel()
					if !ok {
						failed++
					}
					f.Append(string(l.Kind), l.Name, input, status, detail)
				}
			}
			if err := a.Write(f); err != nil {
				return err
			}
			if err := problemsError(rep, args); err != nil {
				return err
			}
			if failed > 0 {
				return fmt.Errorf("%d plugin test(s) failed: %w", failed, ErrPartial)
			}
			return nil
		},
	}
	test.Flags().DurationVar(&timeout, "timeout", 60*time.Second, "time limit for each test item")
	cmd.AddCommand(list, validate, test)
	return cmd
}

// pluginFoldersFor is the folders plugins validate/test work on: the ones
// named as arguments, else the run's own (PluginFolders of the config,
// relative to its folder, then --plugins), else a usage error saying how to
// name one.
func pluginFoldersFor(a *App, sub string, args []string) ([]string, error) {
	if len(args) > 0 {
		return args, nil
	}
	cfg, err := a.Config()
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, f := range cfg.PluginFolders {
		dirs = append(dirs, plugin.ResolveFolder(f, cfg.Dir()))
	}
	dirs = append(dirs, a.PluginDirs()...)
	if len(dirs) == 0 {
		return nil, UsageErrorf("plugins %s: name at least one plugin folder (msticgo plugins %s DIR...), or set --plugins or PluginFolders in msticpyconfig.yaml", sub, sub)
	}
	return dirs, nil
}

// problemsError is the usage error for a load with problems: one line per
// problem, naming the file (and line), then the count.
func problemsError(rep *plugin.Report, dirs []string) error {
	if len(rep.Problems) == 0 {
		return nil
	}
	var b strings.Builder
	for _, p := range rep.Problems {
		b.WriteString(oneLine(p.Error()))
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "%d problem(s) in %s", len(rep.Problems), strings.Join(dirs, ", "))
	return UsageError(errors.New(b.String()))
}

// entryFor finds the config entry that uses a registration: an entry whose
// provider type is one of its names.
func entryFor(cfg *config.Config, r *registry.Registration) *config.ProviderEntry {
	if cfg == nil {
		return nil
	}
	sec := map[registry.Kind]string{registry.KindTI: "TIProviders", registry.KindContext: "ContextProviders", registry.KindData: "DataProviders"}[r.Kind]
	entries := cfg.Section(sec)
	for i := range entries {
		if isName(r, entries[i].Provider) {
			return &entries[i]
		}
	}
	return nil
}

func metaStrings(r *registry.Registration, key string) []string {
	switch v := r.Meta[key].(type) {
	case []string:
		return v
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	return nil
}

// pluginState is "loaded", or "not configured: ..." when a required
// setting is missing from its config entry (or there is no entry).
func pluginState(cfg *config.Config, r *registry.Registration) string {
	req := metaStrings(r, "required")
	e := entryFor(cfg, r)
	if e != nil && e.Status != "" {
		return e.Status
	}
	var missing []string
	for _, k := range req {
		if e == nil {
			missing = append(missing, k)
			continue
		}
		if s, ok := e.Arg(k); !ok || s.Value == "" {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		where := "no config entry"
		if e != nil {
			where = "entry " + e.Section + "." + e.Name
		}
		return fmt.Sprintf("not configured: %s missing (%s)", strings.Join(missing, ", "), where)
	}
	return "loaded"
}

type healther interface {
	Health(ctx context.Context) error
}

func newPluginInstance(ctx context.Context, a *App, cfg *config.Config, r *registry.Registration) (any, error) {
	args := registry.FactoryArgs{LoadedAs: r.Name, Entry: r.Name}
	if e := entryFor(cfg, r); e != nil {
		args.Entry = e.Name
		args.Settings, args.Secrets = e.Settings()
		if cfg.Path != "" {
			args.BaseDir = cfg.Dir()
		}
	}
	args.Logger = a.Logger().With("provider", args.Entry)
	return r.Factory(ctx, args)
}

func closeInstance(inst any) {
	if c, ok := inst.(io.Closer); ok {
		_ = c.Close()
	}
}

func healthState(ctx context.Context, a *App, cfg *config.Config, r *registry.Registration) string {
	inst, err := newPluginInstance(ctx, a, cfg, r)
	if err != nil {
		return "unavailable: " + oneLine(err.Error())
	}
	defer closeInstance(inst)
	h, ok := inst.(healther)
	if !ok {
		return "loaded"
	}
	hctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := h.Health(hctx); err != nil {
		return "unavailable: " + oneLine(err.Error())
	}
	return "loaded (healthy)"
}

// runPluginTest runs one test case through a new instance of r.
func runPluginTest(ctx context.Context, a *App, cfg *config.Config, r *registry.Registration, tc plugin.TestCase) (input, status, detail string, ok bool) {
	inst, err := newPluginInstance(ctx, a, cfg, r)
	input = tc.Ioc
	if tc.Query != "" {
		input = tc.Query
	}
	if tc.IocType != "" {
		input += " (" + tc.IocType + ")"
	}
	if err != nil {
		var nc interface{ NotConfiguredReason() string }
		if errors.As(err, &nc) {
			// a required setting is missing (no config entry, or no
			// AuthKey in it): nothing to test yet, not a failure
			return input, "skipped", "not configured: " + oneLine(lookup.FactoryReason(err)), true
		}
		return input, "error", oneLine(err.Error()), false
	}
	defer closeInstance(inst)
	switch p := inst.(type) {
	case lookup.Provider:
		res := p.Lookup(ctx, lookup.Item{Ioc: tc.Ioc, Type: tc.IocType, SubType: tc.SubType, Value: tc.Ioc})
		status = res.Status.String()
		detail = res.Message
		if res.Status.OK() {
			// Details as the other commands print them (JSON for maps and
			// lists, nothing for none), not Go's formatting.
			detail = "severity " + res.Severity.String()
			if d := table.FormatValue(res.Details); d != "" {
				detail += "; " + oneLine(d)
			}
		}
		ok = res.Status.OK()
		if res.Status == lookup.StatusNotConfigured && tc.Expect == "" {
			// the plugin itself says a setting is missing (ConfigError)
			return input, "skipped", oneLine(appendReason("not configured", res.Message)), true
		}
		if tc.Expect != "" {
			ok = strings.EqualFold(strings.ReplaceAll(tc.Expect, "_", " "), status)
			if !ok {
				detail = fmt.Sprintf("want %s; %s", tc.Expect, detail)
			}
		}
		return input, status, detail, ok
	case data.Driver:
		if err := p.Connect(ctx, ""); err != nil {
			return input, "error", oneLine(err.Error()), false
		}
		res, err := p.Query(ctx, data.Query{Text: tc.Query, Limit: 100})
		if err != nil {
			return input, "error", oneLine(err.Error()), false
		}
		return input, "ok", fmt.Sprintf("%d row(s), columns %s", res.Frame.Len(), strings.Join(res.Frame.Names(), ", ")), true
	}
	return input, "error", fmt.Sprintf("plugin instance is %T, neither a lookup provider nor a data driver", inst), false
}

// appendReason is "head: msg", or head when msg is empty or already says it.
func appendReason(head, msg string) string {
	switch {
	case msg == "":
		return head
	case strings.HasPrefix(msg, head):
		return msg
	}
	return head + ": " + msg
}
