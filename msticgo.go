// Package msticgo is the entry point for Go programs that use msticgo as a
// library, in the spirit of MSTICPy's top-level functions: LoadConfig
// (msticpyconfig.yaml), LoadPlugins (mp.load_plugins), QueryProvider
// (mp.QueryProvider), TILookup / ContextLookup (mp.TILookup,
// mp.ContextLookup) and Enrich (TI verdicts added to query results). Each is a thin wrapper over the packages that do the
// work (config, plugin, data, lookup); use those directly for anything these
// do not cover.
//
// Importing this package links every built-in provider: the HTTP TI
// providers, the offline feeds, the context providers, the data drivers and
// the embedded query packs. Providers are found in registry.Default unless
// Options.Registry names another registry.
package msticgo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/msticgo/msticgo/config"
	_ "github.com/msticgo/msticgo/contextprov" // built-in context providers
	"github.com/msticgo/msticgo/data"
	_ "github.com/msticgo/msticgo/data/drivers/all" // built-in data drivers and query packs
	"github.com/msticgo/msticgo/data/querystore"
	"github.com/msticgo/msticgo/enrich"
	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/plugin"
	"github.com/msticgo/msticgo/registry"
	"github.com/msticgo/msticgo/table"
	_ "github.com/msticgo/msticgo/ti/builtin" // built-in HTTP TI providers
	_ "github.com/msticgo/msticgo/ti/feeds"   // the offline Feeds TI provider
)

// hostVersion is what executable plugins are told in initialize.
const hostVersion = "msticgo (Go API)"

// Options are shared by QueryProvider, TILookup and ContextLookup. The zero
// value reads the msticpyconfig.yaml found by LoadConfig("") and uses
// registry.Default.
type Options struct {
	// Config supplies provider settings (DataProviders, TIProviders,
	// ContextProviders entries) and QueryDefinitions. Nil means
	// LoadConfig("").
	Config *config.Config
	// Registry resolves provider names. Nil means registry.Default, which
	// holds the built-ins and everything LoadPlugins registered.
	Registry *registry.Registry
	// QueryPaths are extra folders or files of MSTICPy query files
	// (MSTICPy's query_paths); QueryProvider only.
	QueryPaths []string
	// Logger receives provider logs and query-file problems. Nil discards.
	Logger *slog.Logger
}

func (o Options) resolve() (*config.Config, *registry.Registry, *slog.Logger, error) {
	cfg := o.Config
	if cfg == nil {
		var err error
		if cfg, err = LoadConfig(""); err != nil {
			return nil, nil, nil, err
		}
	}
	reg := o.Registry
	if reg == nil {
		reg = registry.Default
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return cfg, reg, log, nil
}

// LoadConfig reads msticpyconfig.yaml. path "" uses the discovery order:
// $MSTICPYCONFIG, ./msticpyconfig.yaml, ~/.msticpy/msticpyconfig.yaml, else
// the embedded defaults. An explicit path (the argument or MSTICPYCONFIG)
// that does not exist is an error wrapping config.ErrMissing. Problems
// inside the file do not fail the load; they are in Config.Problems
// (Config.Validate lists them all).
func LoadConfig(path string) (*config.Config, error) {
	cfg, err := config.Load(config.FindOptions{Flag: path})
	if err != nil {
		return nil, fmt.Errorf("msticgo: loading config: %w", err)
	}
	return cfg, nil
}

// loaded remembers what LoadPlugins read into registry.Default, by folder,
// so loading a folder again reports the same outcome instead of clashing
// with itself (as MSTICPy reuses an already-imported plugin module).
var loaded struct {
	sync.Mutex
	folders    map[string]*plugin.Report
	queryFiles []string
}

// LoadPlugins is MSTICPy's load_plugins(plugin_paths=[...]): it reads each
// plugin folder in order into registry.Default and reports what registered,
// under which names, and what failed and why. With no folders it reads the
// PluginFolders of LoadConfig("") (relative to that file's folder); other
// relative folders are relative to the current directory. A folder already
// loaded by an earlier call is not read again: its earlier outcome is
// reported. Query files found in the folders join the query store of every
// later QueryProvider that uses registry.Default.
//
// The error joins every problem (the report has them one by one); whatever
// loaded stays registered and usable. Close the report when the program
// ends, to stop the processes of executable plugins.
func LoadPlugins(ctx context.Context, dirs ...string) (*plugin.Report, error) {
	if len(dirs) == 0 {
		cfg, err := LoadConfig("")
		if err != nil {
			return &plugin.Report{}, err
		}
		dirs = cfg.PluginFolders
	}
	rep := &plugin.Report{}
	loaded.Lock()
	defer loaded.Unlock()
	if loaded.folders == nil {
		loaded.folders = map[string]*plugin.Report{}
	}
	for _, d := range dirs {
		abs := plugin.ResolveFolder(d, "")
		if prev, ok := loaded.folders[abs]; ok {
			rep.Merge(snapshot(prev))
			continue
		}
		r := plugin.Load(ctx, registry.Default, []string{abs}, plugin.Options{HostVersion: hostVersion})
		if len(r.Folders) > 0 { // the folder was read: remember it
			loaded.folders[abs] = snapshot(r)
			loaded.queryFiles = append(loaded.queryFiles, r.QueryFiles...)
		}
		rep.Merge(r)
	}
	return rep, rep.Err()
}

// snapshot copies a report's findings (not its processes).
func snapshot(r *plugin.Report) *plugin.Report {
	return &plugin.Report{
		Folders:    append([]string(nil), r.Folders...),
		Loaded:     append([]plugin.Loaded(nil), r.Loaded...),
		Problems:   append([]plugin.Problem(nil), r.Problems...),
		Notes:      append([]plugin.Note(nil), r.Notes...),
		QueryFiles: append([]string(nil), r.QueryFiles...),
	}
}

// QueryProvider is MSTICPy's QueryProvider(data_environment,
// query_paths=...): the data driver registered under env (a name or an
// alias; the driver is told which), with the settings of its DataProviders
// entry, and the queries of that environment from Options.QueryPaths, the
// config's QueryDefinitions, the plugin folders read by LoadPlugins and the
// embedded query packs. A DataProviders entry name may be given as env; its
// Provider is then the driver. Close it when done.
func QueryProvider(ctx context.Context, env string, opts Options) (*data.QueryProvider, error) {
	cfg, reg, log, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	src := querystore.Sources{Paths: opts.QueryPaths, Custom: cfg.QueryDefinitions.Custom, Default: cfg.QueryDefinitions.Default, Embedded: true}
	if opts.Registry == nil {
		loaded.Lock()
		src.Plugins = append([]string(nil), loaded.queryFiles...)
		loaded.Unlock()
	}
	store := querystore.Load(src)
	for _, p := range store.Problems() {
		log.Warn("query files: " + p.Error())
	}
	po := data.ProviderOptions{Registry: reg, Store: store, Logger: log, BaseDir: cfg.Dir()}
	e, name, ok, err := data.ConfigEntry(reg, cfg.DataProviders, env)
	if err != nil {
		return nil, fmt.Errorf("msticgo: %w", err)
	}
	if ok {
		if !e.Configured() {
			return nil, fmt.Errorf("msticgo: DataProviders.%s: %s", e.Name, e.Status)
		}
		po.Entry = e.Name
		po.Settings, po.Secrets = e.Settings()
	}
	if r, err := reg.Lookup(registry.KindData, name); err == nil {
		po.Settings = data.SectionSettings(po.Settings, cfg, r)
	}
	qp, err := data.NewQueryProvider(ctx, name, po)
	if err != nil {
		return nil, fmt.Errorf("msticgo: %w", err)
	}
	return qp, nil
}

// TILookup is MSTICPy's TILookup(providers=[...]): an engine over the
// TIProviders entries of the config, the Primary ones when no provider
// entry is named. Indicators are typed and cleaned with package ioc
// (defanged text, case, trailing dots) and private addresses are not sent.
// Use Engine.Lookup for a result table, Engine.Rows for rows; close the
// engine when done.
func TILookup(ctx context.Context, opts Options, providers ...string) (*lookup.Engine, error) {
	return newEngine(ctx, opts, lookup.ModeTI, providers)
}

// ContextLookup is MSTICPy's ContextLookup: TILookup over the
// ContextProviders entries (private addresses are sent: they are what a
// CMDB knows).
func ContextLookup(ctx context.Context, opts Options, providers ...string) (*lookup.Engine, error) {
	return newEngine(ctx, opts, lookup.ModeContext, providers)
}

// Enrich adds TI verdicts to a query result: the values of the named
// columns (none, or "auto": every column whose values type as indicators;
// other text gives the indicators extracted from it) are looked up once
// each through eng (a TILookup engine), and every row gets TISeverity,
// TIMatched and TIDetail. Rows in = rows out; the lookup rows are in
// Result.Lookups. The CLI's "query run --enrich" is this.
func Enrich(ctx context.Context, eng *lookup.Engine, f *table.Frame, columns ...string) (*enrich.Result, error) {
	return enrich.Frame(ctx, eng, f, enrich.Options{Columns: columns})
}

func newEngine(ctx context.Context, opts Options, mode lookup.Mode, providers []string) (*lookup.Engine, error) {
	cfg, reg, log, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	kind, entries := registry.KindTI, cfg.TIProviders
	if mode == lookup.ModeContext {
		kind, entries = registry.KindContext, cfg.ContextProviders
	}
	specs, err := lookup.FromConfig(ctx, reg, kind, entries, providers, cfg.Dir(), log)
	if err != nil {
		if errors.Is(err, lookup.ErrNoProviders) {
			err = fmt.Errorf("%w (config: %s)", err, configName(cfg))
		}
		return nil, fmt.Errorf("msticgo: %w", err)
	}
	return lookup.NewEngine(specs, lookup.Options{Mode: mode, Prepare: lookup.IOCPreparer, Logger: log}), nil
}

func configName(cfg *config.Config) string {
	if cfg.Path == "" {
		return "built-in defaults"
	}
	return cfg.Path
}
