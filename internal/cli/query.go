package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/data/dataenv"
	"github.com/msticgo/msticgo/data/querystore"
	"github.com/msticgo/msticgo/data/render"
	"github.com/msticgo/msticgo/enrich"
	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/registry"
	"github.com/msticgo/msticgo/table"
)

func init() {
	addCommand(func(a *App) *cobra.Command {
		cmd := &cobra.Command{
			Use:     "query",
			Aliases: []string{"queries"},
			Short:   "List, show, render and run MSTICPy hunting queries",
			Long: `Query files are MSTICPy's YAML query files, read from --query-path folders,
QueryDefinitions (Custom, Default) in msticpyconfig.yaml, plugin folders and
the query packs built into msticgo. Queries are named Family.name and belong
to data environments (MSSentinel, LocalData, DuckDB, ...); --env picks one.

Parameters are given as key=value. A list is key=a,b or key='["a","b,c"]'
(JSON). Datetimes: ISO 8601 (2024-03-01T00:00:00Z; without a zone = UTC), a
number of days from now (-2), or an offset (-36h, -30m, -1w, -1mon, -1y,
rounded with @unit: -1d@d). MSTICGO_NOW pins "now".`,
		}
		cmd.AddCommand(queryListCmd(a), queryShowCmd(a), queryRenderCmd(a), queryRunCmd(a), queryExecCmd(a), queryValidateCmd(a))
		for _, sub := range cmd.Commands() {
			if sub.Flags().Lookup("env") != nil {
				_ = sub.RegisterFlagCompletionFunc("env", completeEnvs(a))
			}
			switch sub.Name() {
			case "show":
				sub.ValidArgsFunction = completeQuery(a, false)
			case "render", "run":
				sub.ValidArgsFunction = completeQuery(a, true)
			}
		}
		return cmd
	})
}

// completeEnvs completes --env: registered data drivers (names and
// aliases), DataProviders entry names and the environments of the loaded
// query files.
func completeEnvs(a *App) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		var out []string
		if reg, _ := a.Registry(); reg != nil {
			out = append(out, reg.Names(registry.KindData)...)
		}
		if cfg, err := a.Config(); err == nil {
			for _, e := range cfg.DataProviders {
				out = append(out, e.Name)
			}
		}
		if store, err := queryStore(a); err == nil {
			out = append(out, store.Environments()...)
		}
		return completeFrom(out, toComplete), cobra.ShellCompDirectiveNoFileComp
	}
}

// completeQuery completes the query name (Family.name, of the --env
// environment when given) and, with params, then its parameters as
// "name=".
func completeQuery(a *App, params bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		store, err := queryStore(a)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		env, _ := cmd.Flags().GetString("env")
		if len(args) == 0 {
			qenv := env
			if reg, _ := a.Registry(); reg != nil && env != "" {
				if r, name := lookupEnv(a, reg, env); r != nil {
					qenv = data.QueryEnvironment(r, name)
				}
			}
			var names []string
			for _, q := range store.List(qenv, "") {
				names = append(names, q.FullName())
			}
			return completeFrom(names, toComplete), cobra.ShellCompDirectiveNoFileComp
		}
		if !params {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		t, err := findQuery(a, store, env, args[0])
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		given := map[string]bool{}
		for _, arg := range args[1:] {
			k, _, _ := strings.Cut(arg, "=")
			given[strings.TrimSpace(k)] = true
		}
		var names []string
		for _, p := range t.q.Params {
			if !given[p.Name] {
				names = append(names, p.Name+"=")
			}
		}
		return completeFrom(names, toComplete), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}

// completeFrom keeps the distinct candidates starting with prefix
// (ignoring case), sorted.
func completeFrom(cands []string, prefix string) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range cands {
		if !seen[c] && strings.HasPrefix(strings.ToLower(c), strings.ToLower(prefix)) {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// queryStore loads every query source of this run. Missing --query-path
// folders are a usage error; other problems are logged as warnings.
// queryCacheDir is where parsed query files are kept (keyed by content, so
// an edited file is parsed again): $MSTICGO_CACHE_DIR/queries, else the user
// cache folder/msticgo/queries; "" (no cache) when there is none.
func queryCacheDir(a *App) string {
	if d := strings.TrimSpace(a.Getenv("MSTICGO_CACHE_DIR")); d != "" {
		return filepath.Join(d, "queries")
	}
	if runtime.GOOS == "linux" {
		// os.UserCacheDir's rule, read through the run's environment.
		if d := a.Getenv("XDG_CACHE_HOME"); filepath.IsAbs(d) {
			return filepath.Join(d, "msticgo", "queries")
		}
		if h := a.Getenv("HOME"); h != "" {
			return filepath.Join(h, ".cache", "msticgo", "queries")
		}
		return ""
	}
	return querystore.DefaultCacheDir()
}

func queryStore(a *App) (*querystore.Store, error) {
	cfg, err := a.Config()
	if err != nil {
		return nil, err
	}
	for _, p := range a.QueryPaths() {
		if _, err := os.Stat(p); err != nil {
			return nil, UsageErrorf("--query-path %s: %s", p, pathError(err))
		}
	}
	src := querystore.Sources{Paths: a.QueryPaths(), Embedded: true}
	src.Custom = existing(a, cfg.QueryDefinitions.Custom, "QueryDefinitions.Custom")
	src.Default = existing(a, cfg.QueryDefinitions.Default, "")
	// Only the query files the plugin loader found (*.yaml with sources:),
	// not every YAML file of a plugin folder: provider definitions and
	// manifests are not query files.
	src.Plugins = a.PluginQueryFiles()
	src.CacheDir = queryCacheDir(a)
	s := querystore.Load(src)
	type pair struct{ file, kept string }
	var pairs []pair
	dups := map[pair][]string{}
	for _, p := range s.Problems() {
		switch {
		case p.Kept != "":
			k := pair{p.File, p.Kept}
			if _, ok := dups[k]; !ok {
				pairs = append(pairs, k)
			}
			dups[k] = append(dups[k], p.Query)
		case p.Warning && (p.Unusable || p.BadDefault || strings.Contains(p.Message, "did you mean")):
			// a likely typo silently changes a query, a default that
			// cannot be read fails later: shown like errors
			a.Logger().Warn(p.Error())
		case p.Warning:
			a.Logger().Debug(p.Error())
		default:
			a.Logger().Warn(p.Error())
		}
	}
	// One warning per pair of files defining the same queries (the MSTICPy
	// library itself has such pairs), naming both files and the queries.
	for _, k := range pairs {
		names := dups[k]
		sort.Strings(names)
		names = slices.Compact(names)
		shown := strings.Join(names, ", ")
		if len(names) > 3 { // the whole list is for query validate
			shown = strings.Join(names[:3], ", ") + fmt.Sprintf(" and %d more (msticgo query validate lists them)", len(names)-3)
		}
		a.Logger().Warn(fmt.Sprintf("%s: %d queries already defined in %s, which is kept: %s", k.file, len(names), k.kept, shown))
	}
	return s, nil
}

// existing keeps the folders that exist; a missing one is logged (as a
// warning when what names the setting, else at debug level).
func existing(a *App, paths []string, what string) []string {
	var out []string
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			out = append(out, p)
			continue
		}
		if what != "" {
			a.Logger().Warn(fmt.Sprintf("%s: query folder %s not found; skipped", what, p))
		} else {
			a.Logger().Debug("query folder not found; skipped", "path", p)
		}
	}
	return out
}

// target is a query plus the environment it is used with.
type target struct {
	q   *querystore.Query
	env string // as given with --env, or chosen for the query
	reg *registry.Registration
}

// lookupEnv finds the driver for env: registered under that name or
// alias, or the Provider of the DataProviders entry named env. name is
// the driver name to pick queries with. r is nil when neither applies.
func lookupEnv(a *App, reg *registry.Registry, env string) (r *registry.Registration, name string) {
	if r, err := reg.Lookup(registry.KindData, env); err == nil {
		return r, env
	}
	cfg, err := a.Config()
	if err != nil {
		return nil, env
	}
	for _, e := range cfg.DataProviders {
		if strings.EqualFold(e.Name, strings.TrimSpace(env)) {
			if r, err := reg.Lookup(registry.KindData, e.Provider); err == nil {
				return r, e.Provider
			}
		}
	}
	return nil, env
}

// findQuery finds qname for env ("" = the environment of the only query
// of that name, preferring one with a registered driver). env may be a
// driver name or alias, a DataProviders entry name, or an environment
// named by query files.
func findQuery(a *App, store *querystore.Store, env, qname string) (*target, error) {
	if strings.TrimSpace(qname) == "" {
		return nil, UsageErrorf("give a query name (Family.name); see msticgo query list")
	}
	reg, _ := a.Registry()
	if reg == nil {
		reg = registry.New()
	}
	if env != "" {
		qenv := env
		r, name := lookupEnv(a, reg, env)
		if r != nil {
			qenv = data.QueryEnvironment(r, name)
		} else if _, ok := dataenv.Lookup(env); !ok && !hasEnv(store, env) {
			return nil, unknownEnv(reg, store, env)
		}
		q, err := store.Get(qenv, qname)
		if err != nil {
			return nil, UsageError(err)
		}
		return &target{q: q, env: env, reg: r}, nil
	}
	cands := store.Find(qname)
	if len(cands) == 0 {
		_, err := store.Get("", qname) // for the did-you-mean message
		return nil, UsageError(err)
	}
	// Prefer queries whose environment has a registered driver; among
	// several, the embedded sample environment is the default.
	var runnable []*target
	for _, q := range cands {
		for _, e := range q.Environments {
			if r, err := reg.Lookup(registry.KindData, e); err == nil {
				runnable = append(runnable, &target{q: q, env: e, reg: r})
			}
		}
	}
	switch {
	case len(runnable) == 1:
		return runnable[0], nil
	case len(runnable) > 1:
		for _, t := range runnable {
			if strings.EqualFold(t.env, defaultEnvironment) {
				return t, nil
			}
		}
	case len(cands) == 1 && len(cands[0].Environments) == 1:
		return &target{q: cands[0], env: cands[0].Environments[0]}, nil
	}
	var envs []string
	seen := map[string]bool{}
	for _, q := range cands {
		for _, e := range q.Environments {
			if !seen[e] {
				seen[e] = true
				envs = append(envs, e)
			}
		}
	}
	sort.Strings(envs)
	return nil, UsageErrorf("query %s exists for several data environments (%s): choose one with --env", qname, strings.Join(envs, ", "))
}

// defaultEnvironment is the environment of msticgo's embedded sample pack,
// chosen when a query name exists in several environments and no --env
// is given.
const defaultEnvironment = "Sample"

// unknownEnv is the usage error for an environment nobody knows: not a
// MSTICPy environment, not registered, not named by any query file.
func unknownEnv(reg *registry.Registry, store *querystore.Store, env string) error {
	known := append(append(dataenv.AllNames(), store.Environments()...), reg.Names(registry.KindData)...)
	msg := fmt.Sprintf("unknown data environment %q", env)
	if s := registry.Suggest(env, known); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	if names := reg.Names(registry.KindData); len(names) > 0 {
		msg += "; registered drivers: " + strings.Join(names, ", ")
	}
	if envs := store.Environments(); len(envs) > 0 {
		msg += "; environments with queries: " + strings.Join(envs, ", ")
	}
	return UsageError(errors.New(msg))
}

func hasEnv(store *querystore.Store, env string) bool {
	for _, e := range store.Environments() {
		if strings.EqualFold(e, env) {
			return true
		}
	}
	return false
}

// parseParams reads key=value arguments. For list parameters a value
// starting with '[' is JSON; for dict parameters one starting with '{'.
func parseParams(q *querystore.Query, args []string) (map[string]any, string, error) {
	out := map[string]any{}
	split := ""
	for _, arg := range args {
		k, v, ok := strings.Cut(arg, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, "", UsageErrorf("parameter %q: want key=value", arg)
		}
		if k == "split_query_by" || k == "split_by" {
			split = v
			continue
		}
		if _, dup := out[k]; dup {
			return nil, "", UsageErrorf("parameter %s given twice", k)
		}
		var val any = v
		if p, ok := q.Param(k); ok {
			tv := strings.TrimSpace(v)
			switch {
			case p.Type == "list" && strings.HasPrefix(tv, "["):
				var l []any
				dec := json.NewDecoder(strings.NewReader(tv))
				dec.UseNumber()
				if err := dec.Decode(&l); err != nil {
					return nil, "", UsageErrorf("parameter %s: %q is not a JSON list: %w", k, v, err)
				}
				val = l
			case p.Type == "dict" && strings.HasPrefix(tv, "{"):
				var m map[string]any
				dec := json.NewDecoder(strings.NewReader(tv))
				dec.UseNumber() // 1 stays 1, as Python's json.loads reads it
				if err := dec.Decode(&m); err != nil {
					return nil, "", UsageErrorf("parameter %s: %q is not a JSON object: %w", k, v, err)
				}
				val = m
			}
		}
		out[k] = val
	}
	return out, split, nil
}

// newProvider creates the QueryProvider for env with its config entry.
func newProvider(a *App, store *querystore.Store, env string) (*data.QueryProvider, error) {
	cfg, err := a.Config()
	if err != nil {
		return nil, err
	}
	reg, regErr := a.Registry()
	if reg == nil {
		return nil, regErr
	}
	opts := data.ProviderOptions{Registry: reg, Store: store, Now: a.Now, Logger: a.Logger(), BaseDir: cfg.Dir()}
	e, name, ok, err := data.ConfigEntry(reg, cfg.DataProviders, env)
	if err != nil {
		return nil, UsageError(err)
	}
	if ok {
		if !e.Configured() {
			return nil, UsageErrorf("DataProviders.%s: %s", e.Name, e.Status)
		}
		opts.Entry = e.Name
		opts.Settings, opts.Secrets = e.Settings()
	}
	if r, err := reg.Lookup(registry.KindData, name); err == nil {
		opts.Settings = data.SectionSettings(opts.Settings, cfg, r)
	}
	p, err := data.NewQueryProvider(a.Context(), name, opts)
	if err != nil {
		if errors.Is(err, data.ErrUnknownEnvironment) || errors.Is(err, data.ErrSettings) {
			return nil, UsageError(err)
		}
		return nil, err
	}
	return p, nil
}

func queryListCmd(a *App) *cobra.Command {
	var env, family string
	c := &cobra.Command{
		Use:   "list",
		Short: "List queries: Family.name, environments, parameters, description",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := queryStore(a)
			if err != nil {
				return err
			}
			if env != "" {
				reg, _ := a.Registry()
				if reg == nil {
					reg = registry.New()
				}
				if r, _ := lookupEnv(a, reg, env); r == nil {
					if _, ok := dataenv.Lookup(env); !ok && !hasEnv(store, env) {
						return unknownEnv(reg, store, env)
					}
				}
			}
			qenv := env
			if reg, _ := a.Registry(); reg != nil && env != "" {
				if r, name := lookupEnv(a, reg, env); r != nil {
					qenv = data.QueryEnvironment(r, name)
				}
			}
			f := table.NewStrings("query", "environments", "parameters", "description", "file")
			for _, q := range store.List(qenv, family) {
				var ps []string
				for _, p := range q.Params {
					s := p.Name
					if p.Required() && !(p.Type == "datetime" && (p.Name == "start" || p.Name == "end")) {
						s += "*"
					}
					ps = append(ps, s)
				}
				f.Append(q.FullName(), strings.Join(q.Environments, ", "), strings.Join(ps, " "), firstLine(q.Description), q.File)
			}
			return a.Write(f)
		},
	}
	c.Flags().StringVar(&env, "env", "", "only queries of this data environment (name or alias)")
	c.Flags().StringVar(&family, "family", "", "only queries of this family (and families nested under it)")
	return c
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func queryShowCmd(a *App) *cobra.Command {
	var env string
	c := &cobra.Command{
		Use:   "show Family.name",
		Short: "Show a query's parameters (type, default, required, aliases, description) and template",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := queryStore(a)
			if err != nil {
				return err
			}
			t, err := findQuery(a, store, env, args[0])
			if err != nil {
				return err
			}
			q := t.q
			f := table.NewStrings("parameter", "type", "required", "default", "aliases", "description")
			for _, p := range q.Params {
				req, def := "yes", ""
				if !p.Required() {
					req = "no"
					if l, ok := p.Default.([]any); ok {
						b, _ := json.Marshal(l)
						def = string(b)
					} else {
						def = fmt.Sprint(p.Default)
					}
				} else if p.Type == "datetime" && (p.Name == "start" || p.Name == "end") {
					req = "no"
					def = map[string]string{"start": "-1 day", "end": "+1 day"}[p.Name]
				}
				f.Append(p.Name, p.Type, req, def, strings.Join(p.Aliases, ", "), p.Description)
			}
			if a.Format() != table.FormatTable {
				return a.Write(f)
			}
			w := a.Stdout()
			fmt.Fprint(w, a.Redact(fmt.Sprintf("Query:        %s\nEnvironments: %s\nFile:         %s:%d\n%s\n\n", q.FullName(), strings.Join(q.Environments, ", "), q.File, q.Line, strings.TrimSpace(q.Description))))
			if err := a.Write(f); err != nil {
				return err
			}
			fmt.Fprintf(w, "\nTemplate:\n%s\n", a.Redact(q.Template))
			return nil
		},
	}
	c.Flags().StringVar(&env, "env", "", "data environment (name or alias) when the query exists in several")
	return c
}

func queryRenderCmd(a *App) *cobra.Command {
	var env, splitFlag string
	c := &cobra.Command{
		Use:   "render Family.name [key=value ...]",
		Short: "Print exactly the query text that would be sent (no connection)",
		Long: `Print exactly the query text that would be sent to the back end, without
connecting. For SQL drivers values of '...' literals are bound parameters
($1, $2, ...); their values are printed on stderr.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := queryStore(a)
			if err != nil {
				return err
			}
			t, err := findQuery(a, store, env, args[0])
			if err != nil {
				return err
			}
			params, split, err := parseParams(t.q, args[1:])
			if err != nil {
				return err
			}
			if splitFlag != "" {
				split = splitFlag
			}
			var p *data.QueryProvider
			if t.reg != nil {
				if p, err = newProvider(a, store, t.env); err != nil {
					return err
				}
				defer p.Close()
			}
			now := a.Now().UTC().Truncate(time.Microsecond)
			s := render.DateTime{T: now.AddDate(0, 0, -1)}
			e := render.DateTime{T: now.AddDate(0, 0, 1)}
			noDriver := render.Options{Style: render.StyleFor(t.env), Now: now, DefaultStart: &s, DefaultEnd: &e}
			if split != "" {
				var chunks []data.Chunk
				if p != nil {
					chunks, err = p.RenderSplit(t.q.FullName(), params, split)
				} else {
					chunks, err = data.SplitQuery(t.q, params, split, noDriver)
				}
				if err != nil {
					return UsageError(err)
				}
				// MSTICPy's debug form: "<start>-<end>", then the query;
				// chunks separated by a blank line.
				for i, c := range chunks {
					if i > 0 {
						fmt.Fprintln(a.Stdout())
					}
					fmt.Fprintf(a.Stdout(), "%s-%s\n%s\n", c.Range.Start.PyStr(), c.Range.End.PyStr(), a.Redact(c.Rendered.Text))
					if len(c.Rendered.Args) > 0 {
						fmt.Fprintln(a.Stderr(), "-- bound parameters: "+a.Redact(data.FormatArgs(c.Rendered.Args)))
					}
				}
				return nil
			}
			var r *render.Rendered
			if p != nil {
				r, err = p.Render(t.q.FullName(), params)
			} else {
				r, err = t.q.Prepared.Render(params, noDriver)
			}
			if err != nil {
				return UsageError(err)
			}
			fmt.Fprint(a.Stdout(), a.Redact(r.Text))
			if !strings.HasSuffix(r.Text, "\n") {
				fmt.Fprintln(a.Stdout())
			}
			if len(r.Args) > 0 {
				fmt.Fprintln(a.Stderr(), "-- bound parameters: "+a.Redact(data.FormatArgs(r.Args)))
			}
			return nil
		},
	}
	c.Flags().StringVar(&env, "env", "", "data environment (name or alias); decides value formatting and escaping")
	c.Flags().StringVar(&splitFlag, "split-by", "", "print one query per chunk of the start..end range (1D, 6h, 30min), as --split-by of query run sends them")
	return c
}

// driverError maps a failure of Run or Exec to an exit code: a parameter
// msticgo refuses or an unknown query is bad input (2); anything the back
// end says (data.ErrRejected, data.ErrConnect, other driver errors) is a
// runtime failure (1).
func driverError(err error) error {
	var pe *render.ParamError
	if errors.As(err, &pe) || errors.Is(err, querystore.ErrNotFound) {
		return UsageError(err)
	}
	return err
}

func queryRunCmd(a *App) *cobra.Command {
	var env, split string
	var limit, parallel int
	var enrichCols []string
	var enrichOutput bool
	lo := lookupOpts{cacheTTL: lookup.DefaultCacheTTL, progress: "never"}
	c := &cobra.Command{
		Use:   "run Family.name [key=value ...]",
		Short: "Run a query and print its rows",
		Long: `Run a query through the driver of its data environment and print the rows in
the -o format. --split-by runs the time range in chunks (MSTICPy's
split_query_by); rows are merged without duplicates and a failed chunk makes
the run partial (exit 3); more than 100 chunks are announced on stderr,
more than 5000 refused. A back end that stops early is reported on stderr
with its code and the row count; reaching --limit says "--limit N reached".

--enrich COL[,COL] (or --enrich auto: every column whose values type as
indicators) looks each distinct value of those columns up once through the
selected TI providers (the Primary TIProviders entries, or --providers) and
adds to each row TISeverity (the highest severity of any match), TIMatched
(the providers that matched) and TIDetail (a short note per value: the match,
a failure, "not routable: private", a known-benign listing; each note is cut
to 120 characters with "…" in every format, -o json included). A provider
that is not configured is named once on stderr with the reason.
--enrich-output prints the full lookup rows instead (one per distinct
value and provider, "ti lookup" columns). Failed lookups make the run
partial (exit 3); every row is still printed.`,
		Example: `  msticgo query run Network.list_public_destinations --enrich auto
  msticgo query run Network.list_public_destinations --enrich DestinationIP --enrich-output
  msticgo query run Network.list_public_destinations -o ndjson | msticgo ti lookup --column DestinationIP`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := queryStore(a)
			if err != nil {
				return err
			}
			t, err := findQuery(a, store, env, args[0])
			if err != nil {
				return err
			}
			params, sp, err := parseParams(t.q, args[1:])
			if err != nil {
				return err
			}
			if split == "" {
				split = sp
			}
			if err := checkRunFlags(cmd, len(enrichCols) > 0, limit, parallel); err != nil {
				return err
			}
			if t.reg == nil {
				reg, _ := a.Registry()
				_, err := data.ResolveEnvironment(reg, t.env)
				return UsageError(err)
			}
			p, err := newProvider(a, store, t.env)
			if err != nil {
				return err
			}
			defer p.Close()
			if split != "" {
				if err := checkChunks(a, p, t.q.FullName(), params, split); err != nil {
					return err
				}
			}
			res, err := p.Run(a.Context(), t.q.FullName(), params, data.RunOptions{SplitBy: split, Limit: limit, MaxParallel: parallel})
			if err != nil {
				return driverError(err)
			}
			if len(enrichCols) > 0 {
				return enrichResult(a, res, enrichCols, enrichOutput, &lo, limit)
			}
			return writeResult(a, res.Result, res.Chunks, limit)
		},
	}
	c.Flags().StringSliceVar(&enrichCols, "enrich", nil, "look up the values of these columns with TI providers and add TISeverity, TIMatched, TIDetail (auto: every indicator column)")
	c.Flags().BoolVar(&enrichOutput, "enrich-output", false, "with --enrich: print the lookup rows (one per distinct value and provider) instead of the enriched query rows")
	c.Flags().StringSliceVarP(&lo.providers, "providers", "p", nil, "with --enrich: TI provider entries to use, comma-separated (default: the Primary ones)")
	c.Flags().BoolVar(&lo.noCache, "no-cache", false, "with --enrich: do not read or write cached lookup answers")
	c.Flags().StringVar(&env, "env", "", "data environment (name or alias)")
	c.Flags().StringVar(&split, "split-by", "", "split the start..end range into chunks of this interval (1D, 6h, 30min)")
	c.Flags().IntVar(&limit, "limit", 0, "at most this many rows per query (0: the driver's default)")
	c.Flags().IntVar(&parallel, "parallel", 4, "chunks run at once with --split-by")
	return c
}

// enrichResult adds TI verdicts to a query result and writes it (or the
// lookup rows, with --enrich-output).
func enrichResult(a *App, res *data.RunResult, cols []string, lookupsOnly bool, lo *lookupOpts, limit int) error {
	eng, err := newLookupEngine(a, lookup.ModeTI, lo)
	if err != nil {
		return err
	}
	defer eng.Close()
	er, err := enrich.Frame(a.Context(), eng, res.Result.Frame, enrich.Options{Columns: cols})
	if err != nil {
		var ce *enrich.ColumnError
		if errors.As(err, &ce) || errors.Is(err, enrich.ErrColumns) {
			return UsageError(err)
		}
		return err
	}
	if len(er.Columns) == 0 {
		a.Logger().Warn("--enrich auto: no column of the result holds indicators; nothing looked up", "columns", strings.Join(res.Result.Frame.Names(), ","))
	} else if er.Summary.Rows == 0 && res.Result.Frame.Len() > 0 {
		a.Logger().Warn(fmt.Sprintf("--enrich %s: no value of this column is an indicator; nothing looked up", strings.Join(er.Columns, ",")))
	} else {
		a.Logger().Debug(er.Describe())
	}
	warnNotConfigured(a, er.Lookups)
	out := *res.Result
	out.Frame = er.Frame
	if lookupsOnly {
		out.Frame = lookup.Frame(lookup.ModeTI, er.Lookups)
	}
	werr := writeResult(a, &out, res.Chunks, limit)
	if n := er.Summary.Failed(); n > 0 {
		return errors.Join(werr, fmt.Errorf("%d of %d enrichment lookups failed (%s): %w", n, er.Summary.Rows, statusBreakdown(er.Summary), ErrPartial))
	}
	return werr
}

// Chunk counts of a split run: above warnChunks one line says how many
// queries will be sent; above maxChunks the run is refused (a default
// window of years split by the day is rarely meant).
const (
	warnChunks = 100
	maxChunks  = 5000
)

// checkChunks counts the chunks a split run would send (rendering only).
func checkChunks(a *App, p *data.QueryProvider, name string, params map[string]any, split string) error {
	chunks, err := p.RenderSplit(name, params, split)
	if err != nil {
		return driverError(fmt.Errorf("%s: %w", name, err))
	}
	n := len(chunks)
	if n == 0 {
		return nil
	}
	window := fmt.Sprintf("%s..%s", chunks[0].Range.Start.ISO(), chunks[n-1].Range.End.ISO())
	if n > maxChunks {
		return UsageErrorf("--split-by %s: %d chunks for %s is more than %d; give a narrower start=/end= or a longer interval", split, n, window, maxChunks)
	}
	if n > warnChunks {
		a.Logger().Warn(fmt.Sprintf("--split-by %s: %d queries for %s (give start=/end= to narrow it)", split, n, window))
	}
	return nil
}

// checkRunFlags refuses query run flags that would be silently ignored or
// have no meaning: lookup flags without --enrich, a negative --limit, a
// --parallel below 1.
func checkRunFlags(cmd *cobra.Command, enriching bool, limit, parallel int) error {
	if !enriching {
		for _, f := range []string{"enrich-output", "providers", "no-cache"} {
			if cmd.Flags().Changed(f) {
				return UsageErrorf("--%s needs --enrich", f)
			}
		}
	}
	if limit < 0 {
		return UsageErrorf("--limit %d: want 0 (the driver's default) or a number of rows", limit)
	}
	if parallel < 1 {
		return UsageErrorf("--parallel %d: want 1 or more", parallel)
	}
	return nil
}

// writeResult writes a result, then says on stderr why it may be
// incomplete; limit is the --limit asked for (0: none).
func writeResult(a *App, res *data.Result, chunks []data.ChunkStatus, limit int) error {
	if err := a.Write(res.Frame); err != nil {
		return err
	}
	if res.Truncated {
		code := res.Code
		switch {
		case limit > 0 && strings.HasPrefix(code, "row_limit"):
			a.Logger().Warn(fmt.Sprintf("--limit %d reached: more rows exist", limit))
		default:
			if code == "" {
				code = "unspecified"
			}
			a.Logger().Warn(fmt.Sprintf("results truncated by the back end (code %s) after %d rows", code, res.Frame.Len()))
		}
	}
	failed := 0
	for _, c := range chunks {
		if c.Err != nil {
			failed++
			a.Logger().Error(fmt.Sprintf("chunk %s..%s failed: %v", c.Start, c.End, c.Err))
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d chunks failed: %w", failed, len(chunks), ErrPartial)
	}
	if res.Partial {
		return fmt.Errorf("the back end reported a partial result (code %s): %w", res.Code, ErrPartial)
	}
	return nil
}

func queryExecCmd(a *App) *cobra.Command {
	var env string
	var limit int
	c := &cobra.Command{
		Use:   "exec --env E \"raw query text\"",
		Short: "Run raw query text in a data environment",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if env == "" {
				return UsageErrorf("query exec needs --env")
			}
			if limit < 0 {
				return UsageErrorf("--limit %d: want 0 (the driver's default) or a number of rows", limit)
			}
			p, err := newProvider(a, querystore.New(), env)
			if err != nil {
				return err
			}
			defer p.Close()
			res, err := p.Exec(a.Context(), args[0], limit)
			if err != nil {
				return driverError(err)
			}
			return writeResult(a, res, nil, limit)
		},
	}
	c.Flags().StringVar(&env, "env", "", "data environment (name or alias)")
	c.Flags().IntVar(&limit, "limit", 0, "at most this many rows (0: the driver's default)")
	return c
}

func queryValidateCmd(a *App) *cobra.Command {
	var strict bool
	c := &cobra.Command{
		Use:   "validate FILE|DIR ...",
		Short: "Check query files; list every problem (exit 2 if any error)",
		Long: `Check query files as the loader does (YAML, required sections, parameter
types, template placeholders, duplicates across the files given) and by the
rules of MSTICPy's JSON schema for query files (integer version, description
lengths, known keys, no empty defaults, no type string), which reject the
MSTICPy fixtures in queries/invalid. --strict: warnings count as errors too.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var files []string
			// A path that cannot be read is an error line on stderr; the
			// other paths are still checked, and the exit code is 2.
			unread := 0
			cantRead := func(arg string, err error) {
				unread++
				fmt.Fprintln(a.Stderr(), a.Redact(fmt.Sprintf("msticgo: query validate %s: %s", arg, pathError(err))))
			}
			var probs []querystore.Problem
			for _, arg := range args {
				st, err := os.Stat(arg)
				if err != nil {
					cantRead(arg, err)
					continue
				}
				if !st.IsDir() {
					files = append(files, arg)
					continue
				}
				found, err := querystore.QueryFiles(os.DirFS(arg), ".")
				if err != nil {
					cantRead(arg, err)
				}
				for _, f := range found {
					files = append(files, filepath.Join(arg, filepath.FromSlash(f)))
				}
			}
			store := querystore.New()
			var schema []querystore.Problem
			for _, f := range files {
				if strict {
					probs = append(probs, querystore.ValidateFile(f)...)
				} else {
					// MSTICPy's schema for query files: its rules are
					// errors with or without --strict (type: string too,
					// which the loader reads as str with a warning)
					schema = append(schema, querystore.SchemaFile(f)...)
				}
				_ = store.LoadFile(f)
			}
			// a fault the loader reports too (same file, line and field)
			// is listed once, in the loader's words, as an error
			where := func(p querystore.Problem) string { return fmt.Sprint(p.File, "\x00", p.Line, "\x00", p.Field) }
			byLoader := map[string]bool{}
			for _, p := range store.Problems() {
				byLoader[where(p)] = true
			}
			promote := map[string]bool{}
			for _, p := range schema {
				if byLoader[where(p)] {
					promote[where(p)] = true
				} else {
					probs = append(probs, p)
				}
			}
			for _, p := range store.Problems() {
				if strict && !p.Warning {
					continue // already reported by ValidateFile
				}
				if (strict || p.Unusable || promote[where(p)]) && !p.BadDefault {
					p.Warning = false
				}
				probs = append(probs, p)
			}
			seen := map[string]bool{}
			uniq := probs[:0]
			for _, p := range probs {
				if !seen[p.Error()] {
					seen[p.Error()] = true
					uniq = append(uniq, p)
				}
			}
			probs = uniq
			sort.SliceStable(probs, func(i, j int) bool {
				if probs[i].File != probs[j].File {
					return probs[i].File < probs[j].File
				}
				return probs[i].Line < probs[j].Line
			})
			f := table.NewStrings("file", "line", "query", "field", "severity", "message")
			nerr, nwarn := 0, 0
			for _, p := range probs {
				sev := "error"
				if p.Warning {
					sev = "warning"
					nwarn++
				} else {
					nerr++
				}
				f.Append(p.File, fmt.Sprint(p.Line), p.Query, p.Field, sev, p.Message)
			}
			if len(probs) > 0 {
				if err := a.Write(f); err != nil {
					return err
				}
			}
			fmt.Fprintf(a.Stderr(), "%d files, %d queries, %d errors, %d warnings\n", len(files), len(store.List("", "")), nerr, nwarn)
			// the total is the table's rows (errors and warnings), as the
			// count line above says
			found := fmt.Sprintf("%d problems in query files (%d errors, %d warnings)", len(probs), nerr, nwarn)
			switch {
			case nerr > 0 && unread > 0:
				return UsageErrorf("%s; %d path(s) could not be read", found, unread)
			case nerr > 0:
				return UsageErrorf("%s", found)
			case unread > 0:
				return UsageErrorf("%d path(s) could not be read", unread)
			}
			return nil
		},
	}
	c.Flags().BoolVar(&strict, "strict", false, "warnings count as errors (and every loader warning is listed as one)")
	return c
}
