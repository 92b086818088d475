package cli

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/msticgo/msticgo/config"
	"github.com/msticgo/msticgo/ioc"
	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/registry"
	"github.com/msticgo/msticgo/table"

	// Built-in TI and context providers register themselves.
	_ "github.com/msticgo/msticgo/contextprov"
	_ "github.com/msticgo/msticgo/ti/builtin"
	_ "github.com/msticgo/msticgo/ti/feeds"
)

func init() {
	addCommand(func(a *App) *cobra.Command {
		cmd := &cobra.Command{
			Use:   "ti",
			Short: "Look up indicators with threat-intelligence providers",
			Long: `Look up indicators (IPs, domains, URLs, hashes, emails...) with the TI
providers configured in the TIProviders section of msticpyconfig.yaml: one row
per indicator and provider, in input order, with MSTICPy's columns and a
readable status. See docs/lookups.md.`,
		}
		cmd.AddCommand(newLookupCmd(a, lookup.ModeTI), newLookupProvidersCmd(a, lookup.ModeTI))
		return cmd
	})
	addCommand(func(a *App) *cobra.Command {
		cmd := &cobra.Command{
			Use:   "context",
			Short: "Look up observables with context providers (CMDB, asset inventory)",
			Long: `Look up observables with the context providers configured in the
ContextProviders section of msticpyconfig.yaml. Same engine, flags and exit
codes as "ti lookup"; rows use Observable/ObservableType/SafeObservable, have
no Severity, and private addresses are sent (that is where they belong).
See docs/lookups.md.`,
		}
		cmd.AddCommand(newLookupCmd(a, lookup.ModeContext), newLookupProvidersCmd(a, lookup.ModeContext))
		return cmd
	})
}

// lookupOpts are the flags of a lookup command.
type lookupOpts struct {
	file       string
	column     string
	typeColumn string
	typ        string
	providers  []string
	noCache    bool
	cacheDir   string
	cacheTTL   time.Duration
	progress   string
}

func modeKind(mode lookup.Mode) (registry.Kind, string) {
	if mode == lookup.ModeContext {
		return registry.KindContext, "ContextProviders"
	}
	return registry.KindTI, "TIProviders"
}

func newLookupCmd(a *App, mode lookup.Mode) *cobra.Command {
	var o lookupOpts
	_, section := modeKind(mode)
	cmd := &cobra.Command{
		Use:   "lookup [IOC ...]",
		Short: "Look up indicators: one row per indicator and provider",
		Long: `Look up indicators given as arguments, in a file (--file) or on standard input.
Input is one indicator per line, or with --column a JSON array of objects (as
-o json writes), an NDJSON or a CSV table (the format is taken from the file
extension, else from the first character: '[' means a JSON array, '{' NDJSON).
Blank lines and lines starting with '#' are skipped.

Providers are the ` + section + ` entries of msticpyconfig.yaml: the Primary ones
by default, or exactly those named with --providers (entry names,
case-insensitive; as in MSTICPy, a provider type or plugin is used only
through an entry, even one that needs no settings: "Provider: X"). Types are inferred unless --type or --type-column says.

Answers are cached on disk (24h by default) so repeated runs do not spend
quota: --no-cache disables the cache. Exit code 3 when some lookups failed
(every row is still printed with its status), 130 when interrupted (Ctrl-C:
the rows not done say "interrupted ...", keeping the last real error).`,
		Example: example(mode),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLookup(a, mode, &o, args)
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&o.file, "file", "f", "", "read indicators from this file instead of arguments or stdin")
	fs.StringVarP(&o.column, "column", "c", "", "column holding the indicators (input is then a JSON array, NDJSON or CSV)")
	fs.StringVar(&o.typeColumn, "type-column", "", "column holding each indicator's type (with --column); --type, if given, is used where that column is empty")
	fs.StringVarP(&o.typ, "type", "t", "", "type of every indicator (ipv4, ipv6, dns, url, md5_hash, sha1_hash, sha256_hash, email, ...); default: inferred")
	fs.StringSliceVarP(&o.providers, "providers", "p", nil, "provider entries to use, comma-separated (default: the Primary ones)")
	fs.BoolVar(&o.noCache, "no-cache", false, "do not read or write cached answers")
	fs.StringVar(&o.cacheDir, "cache-dir", "", "cache folder (default: $MSTICGO_CACHE_DIR, else the user cache folder/msticgo/lookup)")
	fs.DurationVar(&o.cacheTTL, "cache-ttl", lookup.DefaultCacheTTL, "how long cached answers are reused")
	fs.StringVar(&o.progress, "progress", "auto", "progress bar on stderr: auto (when stderr is a terminal), always or never")
	_ = cmd.MarkFlagFilename("file")
	_ = cmd.RegisterFlagCompletionFunc("type", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var out []string
		for _, t := range ioc.Types() {
			out = append(out, string(t))
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

func example(mode lookup.Mode) string {
	if mode == lookup.ModeContext {
		return `  msticgo context lookup 10.0.0.5 host01
  # needs a ContextProviders entry named CMDB in msticpyconfig.yaml
  msticgo context lookup --file hosts.txt --type hostname --providers CMDB -o ndjson`
	}
	return `  msticgo ti lookup 8.8.8.8 evil.example.com
  # --providers takes TIProviders entry names: this needs entries named
  # VirusTotal and OTX (with their AuthKey) in msticpyconfig.yaml
  msticgo ti lookup --file iocs.txt --providers VirusTotal,OTX -o ndjson
  msticgo ti lookup --file alerts.csv --column SourceIP --type ipv4`
}

func runLookup(a *App, mode lookup.Mode, o *lookupOpts, args []string) error {
	ctx := a.Context()
	switch o.progress {
	case "auto", "always", "never":
	default:
		return UsageErrorf("--progress: %q is not auto, always or never", o.progress)
	}
	if o.cacheTTL <= 0 {
		return UsageErrorf("--cache-ttl: must be positive, got %s", o.cacheTTL)
	}
	inputs, err := readLookupInputs(a, o, args)
	if err != nil {
		return err
	}
	eng, err := newLookupEngine(a, mode, o)
	if err != nil {
		return err
	}
	defer eng.Close()

	total := len(inputs) * len(eng.Providers())
	prog := newProgress(a.Stderr(), total, o.progress)
	unsup := newUnsupportedInputs(len(eng.Providers()))
	var nc notConfiguredRows
	var sum lookup.Summary
	if a.Format() == table.FormatNDJSON {
		// Print each row as soon as it and every row before it are ready.
		// (table.Write flushes bw after each row: NDJSON output is never
		// held back while later lookups wait.)
		var werr error
		one := lookup.NewFrame(mode)
		bw := bufio.NewWriter(a.Stdout())
		inOrder := lookup.InOrder(len(eng.Providers()), func(r lookup.Row) {
			if werr != nil {
				return
			}
			one.Rows = append(one.Rows[:0], r.Values(mode))
			werr = table.Write(bw, one, table.FormatNDJSON, table.Options{MaxWidth: -1, Redact: a.Redact})
		})
		sum = eng.Stream(ctx, inputs, func(r lookup.Row) {
			prog.add() // counted on arrival, not when its turn to print comes
			unsup.add(r)
			nc.add(r)
			inOrder(r)
		})
		prog.done()
		if err := errors.Join(werr, bw.Flush()); err != nil {
			return fmt.Errorf("writing results: %w", err)
		}
	} else {
		rows := make([]lookup.Row, 0, total)
		inOrder := lookup.InOrder(len(eng.Providers()), func(r lookup.Row) { rows = append(rows, r) })
		sum = eng.Stream(ctx, inputs, func(r lookup.Row) {
			prog.add()
			unsup.add(r)
			nc.add(r)
			inOrder(r)
		})
		prog.done()
		if err := a.Write(lookup.Frame(mode, rows)); err != nil {
			return fmt.Errorf("writing results: %w", err)
		}
	}
	unsup.warn(a, len(inputs), mode)
	warnNotConfigured(a, nc.rows)
	a.Logger().Debug("lookup done", "inputs", sum.Inputs, "providers", sum.Providers, "rows", sum.Rows,
		"calls", sum.Calls, "cache_hits", sum.CacheHits, "elapsed", sum.Elapsed.Round(time.Millisecond))
	if n := sum.Failed(); n > 0 {
		return fmt.Errorf("%d of %d lookups failed (%s): %w", n, sum.Rows, statusBreakdown(sum), ErrPartial)
	}
	return nil
}

// newLookupEngine builds the lookup engine of a TI or context command: the
// selected providers of the config section, the answer cache and the
// persistent quota counts.
func newLookupEngine(a *App, mode lookup.Mode, o *lookupOpts) (*lookup.Engine, error) {
	ctx := a.Context()
	cfg, err := a.Config()
	if err != nil {
		return nil, err
	}
	reg, regErr := a.Registry()
	if reg == nil {
		return nil, regErr
	}
	if regErr != nil {
		a.Logger().Warn("some plugins did not load", "err", regErr)
	}
	kind, section := modeKind(mode)
	entries := sectionEntries(cfg, section)
	specs, err := lookup.FromConfig(ctx, reg, kind, entries, o.providers, cfg.Dir(), a.Logger())
	if err != nil {
		if errors.Is(err, lookup.ErrNoProviders) {
			return nil, UsageErrorf("%w (config: %s, section %s)", err, configName(cfg), section)
		}
		return nil, UsageError(err)
	}
	// An unknown --type is an error unless a selected provider declares
	// that type itself (ServiceNow's "user").
	var typeErr error
	if o.typ != "" {
		if _, err := ioc.ParseType(o.typ); err != nil {
			typeErr = err
		}
	}
	extra := lookup.ExtraTypes(specs)
	for _, s := range specs {
		if s.Provider == nil {
			if r, err := reg.Lookup(kind, s.Kind); err == nil {
				lookup.AddExtraTypes(extra, metaTypes(r.Meta))
			}
		}
	}
	if typeErr != nil && !extra[strings.ToLower(strings.TrimSpace(o.typ))] {
		if len(extra) > 0 {
			return nil, UsageErrorf("--type: %w; the selected providers also take: %s", typeErr, strings.Join(sortedKeys(extra), ", "))
		}
		return nil, UsageErrorf("--type: %w", typeErr)
	}
	opts := lookup.Options{Mode: mode, Prepare: lookup.IOCPreparerWith(extra), Now: a.Now, Logger: a.Logger()}
	if dir := cacheDir(a, o); dir != "" {
		opts.QuotaDir = dir // daily quota counts persist even with --no-cache
		if !o.noCache {
			opts.Cache = lookup.NewCache(dir, o.cacheTTL, a.Now)
		}
	} else if !o.noCache {
		opts.Cache = lookup.NewCache("", o.cacheTTL, a.Now)
	}
	return lookup.NewEngine(specs, opts), nil
}

// notConfiguredRows keeps one not-configured row per provider entry, for
// warnNotConfigured (rows arrive from several goroutines of the engine's
// stream, one at a time).
type notConfiguredRows struct {
	mu   sync.Mutex
	seen map[string]bool
	rows []lookup.Row
}

func (n *notConfiguredRows) add(r lookup.Row) {
	if r.Result.Status != lookup.StatusNotConfigured {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seen == nil {
		n.seen = map[string]bool{}
	}
	if !n.seen[r.Provider] {
		n.seen[r.Provider] = true
		n.rows = append(n.rows, r)
	}
}

// warnNotConfigured says once per provider entry, on stderr, why its
// lookups were skipped, for outputs (enrichment's TIDetail) that only say
// "not configured" in each row.
func warnNotConfigured(a *App, rows []lookup.Row) {
	said := map[string]bool{}
	for _, r := range rows {
		if r.Result.Status != lookup.StatusNotConfigured || said[r.Provider] {
			continue
		}
		said[r.Provider] = true
		reason := strings.TrimPrefix(r.Result.Message, "not configured: ")
		a.Logger().Warn(fmt.Sprintf("%s not configured (%s): no lookups made with it", r.Provider, reason))
	}
}

func sectionEntries(cfg *config.Config, section string) []config.ProviderEntry {
	if section == "ContextProviders" {
		return cfg.ContextProviders
	}
	return cfg.TIProviders
}

func configName(cfg *config.Config) string {
	if cfg.Path == "" {
		return "built-in defaults"
	}
	return cfg.Path
}

// statusBreakdown lists the failing statuses with counts, e.g.
// "2 timeout, 1 invalid input".
func statusBreakdown(s lookup.Summary) string {
	var parts []string
	for st := lookup.StatusFound; st <= lookup.StatusNotConfigured; st++ {
		switch st {
		case lookup.StatusFound, lookup.StatusNotFound, lookup.StatusUnsupported, lookup.StatusNotRoutable:
			continue
		}
		if n := s.ByStatus[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	return strings.Join(parts, ", ")
}

// cacheDir is --cache-dir, else $MSTICGO_CACHE_DIR, else the user cache
// folder; "" when none can be found (the cache then stays in memory).
func cacheDir(a *App, o *lookupOpts) string {
	if o.cacheDir != "" {
		return o.cacheDir
	}
	if d := strings.TrimSpace(a.Getenv("MSTICGO_CACHE_DIR")); d != "" {
		return d
	}
	d, err := lookup.DefaultCacheDir()
	if err != nil {
		a.Logger().Debug("no user cache folder; lookup answers are cached in memory only", "err", err)
		return ""
	}
	return d
}

// readLookupInputs reads the indicators from the arguments, --file or stdin.
func readLookupInputs(a *App, o *lookupOpts, args []string) ([]lookup.Input, error) {
	if o.typeColumn != "" && o.column == "" {
		return nil, UsageErrorf("--type-column needs --column")
	}
	if len(args) > 0 {
		if o.file != "" {
			return nil, UsageErrorf("give indicators as arguments or with --file, not both")
		}
		if o.column != "" {
			return nil, UsageErrorf("--column reads a table from --file or stdin; it cannot be used with indicators as arguments")
		}
		var out []lookup.Input
		for _, s := range args {
			if strings.TrimSpace(s) != "" {
				out = append(out, lookup.Input{Value: s, Type: o.typ})
			}
		}
		if len(out) == 0 {
			return nil, UsageErrorf("no indicators given")
		}
		return out, nil
	}
	name, r := "stdin", a.Stdin()
	if o.file != "" && o.file != "-" {
		f, err := openInput("--file", o.file)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		name, r = o.file, f
	}
	r, err := utf16Text(r)
	if err != nil {
		return nil, UsageErrorf("%s: %w", name, err)
	}
	br := bufio.NewReaderSize(r, 64<<10)
	var out []lookup.Input
	if o.column == "" {
		if err := tableWithoutColumn(name, br); err != nil {
			return nil, err
		}
		out, err = readPlainLines(name, br, o.typ)
	} else if f := tableFormat(name, br); f == "json" {
		out, err = readJSONArrayColumn(name, br, o)
	} else if f == "ndjson" {
		out, err = readNDJSONColumn(name, br, o)
	} else {
		out, err = readCSVColumn(name, br, o)
	}
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, UsageErrorf("no indicators in %s", name)
	}
	return out, nil
}

// tableWithoutColumn is the error for JSON records (what -o ndjson or -o
// json writes) read as indicator lines: with no --column every line would
// be one unsupported "indicator". The columns of the first record are
// listed to pick from.
func tableWithoutColumn(name string, br *bufio.Reader) error {
	first := firstNonBlank(br)
	if first != '{' && first != '[' {
		return nil
	}
	head, _ := br.Peek(br.Size())
	head = bytes.TrimLeft(head, " \t\r\n\xef\xbb\xbf")
	if first == '[' {
		head = bytes.TrimLeft(head[1:], " \t\r\n")
		if len(head) == 0 || head[0] != '{' {
			return nil // [2001:db8::1]:443 and the like
		}
	}
	var obj map[string]any
	if json.NewDecoder(bytes.NewReader(head)).Decode(&obj) != nil {
		if first == '{' {
			return UsageErrorf("%s: the input looks like JSON records; name the column to look up with --column", name)
		}
		return UsageErrorf("%s: the input looks like a JSON array of records; name the column to look up with --column", name)
	}
	return UsageErrorf("%s: the input holds JSON records, not one indicator per line; name the column to look up with --column (columns: %s)",
		name, shownNames(sortedObjKeys(obj)))
}

// tableFormat picks JSON (an array of objects, what -o json writes),
// NDJSON or CSV from the file extension, else from the first non-blank
// character ('[' JSON, '{' NDJSON); a .json file starting with '[' is JSON.
func tableFormat(name string, br *bufio.Reader) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		if firstNonBlank(br) == '[' {
			return "json"
		}
		return "ndjson"
	case ".jsonl", ".ndjson":
		return "ndjson"
	case ".csv":
		return "csv"
	}
	if firstNonBlank(br) == '[' {
		return "json"
	}
	for i := 1; ; i++ {
		b, err := br.Peek(i)
		if len(b) < i || err != nil {
			return "csv"
		}
		switch c := b[i-1]; c {
		case ' ', '\t', '\r', '\n', 0xEF, 0xBB, 0xBF:
			continue
		case '{':
			return "ndjson"
		default:
			return "csv"
		}
	}
}

func readPlainLines(name string, r io.Reader, typ string) ([]lookup.Input, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var out []lookup.Input
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\uFEFF"))
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		out = append(out, lookup.Input{Value: s, Type: typ})
	}
	if err := sc.Err(); err != nil {
		return nil, UsageErrorf("%s line %d: %w", name, line+1, err)
	}
	return out, nil
}

func readCSVColumn(name string, r io.Reader, o *lookupOpts) ([]lookup.Input, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return nil, UsageErrorf("%s is empty: want a CSV header line with column %q", name, o.column)
	}
	if err != nil {
		return nil, UsageErrorf("%s: %w", name, err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	}
	col, err := findColumn(name, header, o.column, "--column")
	if err != nil {
		return nil, err
	}
	tcol := -1
	if o.typeColumn != "" {
		if tcol, err = findColumn(name, header, o.typeColumn, "--type-column"); err != nil {
			return nil, err
		}
	}
	var out []lookup.Input
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, UsageErrorf("%s: %w", name, err)
		}
		if col >= len(rec) || strings.TrimSpace(rec[col]) == "" {
			continue
		}
		in := lookup.Input{Value: rec[col], Type: o.typ}
		if tcol >= 0 && tcol < len(rec) && strings.TrimSpace(rec[tcol]) != "" {
			in.Type = rec[tcol]
		}
		out = append(out, in)
	}
	return out, nil
}

func findColumn(name string, header []string, want, flag string) (int, error) {
	for i, h := range header {
		if h == want {
			return i, nil
		}
	}
	for i, h := range header {
		if strings.EqualFold(strings.TrimSpace(h), strings.TrimSpace(want)) {
			return i, nil
		}
	}
	if len(header) == 1 && slices.ContainsFunc(strings.Fields(header[0]), func(f string) bool { return strings.EqualFold(f, strings.TrimSpace(want)) }) {
		// msticgo's own aligned table output (-o table, the default) piped in
		return -1, UsageErrorf("%s: %s: no column %q: the input looks like an aligned table (-o table); give the command that writes it -o ndjson, -o json or -o csv", name, flag, want)
	}
	// the header is the file's bytes: keep the message valid UTF-8
	return -1, UsageErrorf("%s: %s: no column %q (columns: %s)", name, flag, want, shownNames(header))
}

func readNDJSONColumn(name string, r io.Reader, o *lookupOpts) ([]lookup.Input, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var out []lookup.Input
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(bytes.TrimPrefix(sc.Bytes(), []byte("\uFEFF")))
		if len(b) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil || obj == nil {
			return nil, UsageErrorf("%s line %d: not a JSON object", name, line)
		}
		v, ok, err := jsonField(obj, o.column)
		if err != nil {
			return nil, UsageErrorf("%s line %d: column %q: %w", name, line, o.column, err)
		}
		if !ok {
			return nil, UsageErrorf("%s line %d: no column %q (columns: %s)", name, line, o.column, shownNames(sortedObjKeys(obj)))
		}
		if strings.TrimSpace(v) == "" {
			continue
		}
		in := lookup.Input{Value: v, Type: o.typ}
		if o.typeColumn != "" {
			t, ok, err := jsonField(obj, o.typeColumn)
			if err != nil {
				return nil, UsageErrorf("%s line %d: column %q: %w", name, line, o.typeColumn, err)
			}
			if ok && strings.TrimSpace(t) != "" {
				in.Type = t
			}
		}
		out = append(out, in)
	}
	if err := sc.Err(); err != nil {
		return nil, UsageErrorf("%s line %d: %w", name, line+1, err)
	}
	return out, nil
}

// jsonField returns a field as text (exact key first, then
// case-insensitive); null is "" and present.
func jsonField(obj map[string]any, key string) (string, bool, error) {
	v, ok := obj[key]
	if !ok {
		for k, x := range obj {
			if strings.EqualFold(k, key) {
				v, ok = x, true
				break
			}
		}
	}
	if !ok {
		return "", false, nil
	}
	switch x := v.(type) {
	case nil:
		return "", true, nil
	case string:
		return x, true, nil
	case json.Number:
		return x.String(), true, nil
	case bool:
		return fmt.Sprint(x), true, nil
	}
	return "", true, fmt.Errorf("is a JSON %s, not a text value", jsonKindName(v))
}

func jsonKindName(v any) string {
	switch v.(type) {
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func sortedObjKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// newLookupProvidersCmd lists the configured entries of the mode's section.
func newLookupProvidersCmd(a *App, mode lookup.Mode) *cobra.Command {
	kind, section := modeKind(mode)
	exampleVar := "VT_KEY" // a TI key
	if mode == lookup.ModeContext {
		exampleVar = "SNOW_PASSWORD" // ServiceNow's key in docs/context.md
	}
	return &cobra.Command{
		Use:   "providers",
		Short: "List the configured " + section + " entries: role, supported types, limits, status",
		Long: `List the ` + section + ` entries of msticpyconfig.yaml: entry name, provider type,
primary or secondary, supported indicator types, effective limits and status
("ready", or why not, e.g. "not configured: ` + exampleVar + ` not set").`,
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
			f := table.NewStrings("name", "provider", "role", "types", "limits", "status", "description")
			for _, e := range sectionEntries(cfg, section) {
				for _, row := range describeEntry(a, reg, kind, cfg, e) {
					f.Append(row...)
				}
			}
			return a.Write(f)
		},
	}
}

// typesCell is the types column: the supported types, or "all" for a
// provider with no type list (the lookup engine asks it about every type).
func typesCell(types []string) string {
	if len(types) == 0 {
		return "all"
	}
	return strings.Join(types, ", ")
}

// describeEntry gives the listing rows of one entry: the entry itself, then,
// for offline providers that report their sources (lookup.StatsReporter,
// e.g. Feeds), one row per source file with its indicator counts per type.
func describeEntry(a *App, reg *registry.Registry, kind registry.Kind, cfg *config.Config, e config.ProviderEntry) [][]any {
	role := "secondary"
	if e.Primary {
		role = "primary"
	}
	row := func(types, limits, status, desc string) [][]any {
		return [][]any{{e.Name, e.Provider, role, types, limits, status, desc}}
	}
	if e.Provider == lookup.NoLoad {
		return row("", "", "not loaded (Provider: --no-load--)", e.Description)
	}
	r, err := reg.Lookup(kind, e.Provider)
	if err != nil {
		status := fmt.Sprintf("unknown provider type %q", e.Provider)
		if s := registry.Suggest(e.Provider, reg.Names(kind)); s != "" {
			status += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return row("", "", status, e.Description)
	}
	desc := e.Description
	if desc == "" {
		desc = r.Description
	}
	types := metaTypes(r.Meta)
	specs, err := lookup.EntrySpecs([]config.ProviderEntry{e})
	if err != nil {
		return row(typesCell(types), "", "error: "+err.Error(), desc)
	}
	if e.Status != "" {
		return row(typesCell(types), declaredLimits(r, specs[0]), e.Status, desc)
	}
	built, err := lookup.Build(a.Context(), reg, kind, specs, []config.ProviderEntry{e}, cfg.Dir(), a.Logger())
	if err != nil {
		return row(typesCell(types), "", "error: "+err.Error(), desc)
	}
	if built[0].NotConfigured != "" {
		return row(typesCell(types), declaredLimits(r, specs[0]), "not configured: "+built[0].NotConfigured, desc)
	}
	eng := lookup.NewEngine(built, lookup.Options{})
	defer eng.Close()
	if ts, ok := built[0].Provider.(lookup.TypeSupporter); ok {
		types = ts.SupportedTypes()
	}
	lim, _ := eng.EffectiveLimits(e.Name)
	limits := lookup.DescribeLimits(lim)
	if offline, _ := r.Meta["offline"].(bool); offline {
		limits = "local" // rates, timeouts and retries are for remote calls
	}
	sr, ok := built[0].Provider.(lookup.StatsReporter)
	if !ok {
		return row(typesCell(types), limits, "ready", desc)
	}
	stats := sr.SourceStats()
	c := lookup.CountSources(stats)
	var notLoaded []string
	if c.FailedFeeds > 0 {
		notLoaded = append(notLoaded, fmt.Sprintf("%d of %d feed sources", c.FailedFeeds, c.Feeds))
	}
	if c.FailedLists > 0 {
		notLoaded = append(notLoaded, fmt.Sprintf("%d of %d warninglists", c.FailedLists, c.Lists))
	}
	status := "ready"
	if len(notLoaded) > 0 {
		status = fmt.Sprintf("ready (%s failed to load)", strings.Join(notLoaded, " and "))
	}
	summary := fmt.Sprintf("%s from %s", counted(c.Indicators, "indicator", "indicators"), counted(c.Feeds, "feed source", "feed sources"))
	if c.Lists > 0 {
		summary += " and " + counted(c.Lists, "warninglist", "warninglists")
	}
	if desc != "" {
		summary = desc + "; " + summary
	}
	rows := row(typesCell(types), limits, status, summary)
	for _, st := range stats {
		rows = append(rows, []any{e.Name, e.Provider, st.Kind, describeCounts(st.Counts), "", describeSource(st), st.Source})
	}
	return rows
}

// declaredLimits is the limits cell of an entry that is not configured (a
// key not set, a bad setting): the limits its provider type declares in
// its registration (Meta "limits") with the entry's valid overrides, as
// they would apply once it is configured; they do not depend on a missing
// key. "local" for an offline provider; "" when the type declares none (a
// provider in code, which declares them on its instance).
func declaredLimits(r *registry.Registration, spec lookup.ProviderSpec) string {
	if offline, _ := r.Meta["offline"].(bool); offline {
		return "local"
	}
	declared, ok := r.Meta["limits"].(lookup.Limits)
	if !ok {
		return ""
	}
	return lookup.DescribeLimits(lookup.EntryLimits(declared, spec))
}

// counted is "1 feed source" or "3 feed sources".
func counted(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// countOrder is the order of types in per-source counts; others follow
// alphabetically.
var countOrder = []string{"ipv4", "ipv4_cidr", "ipv6", "ipv6_cidr", "dns", "url", "md5_hash", "sha1_hash", "sha256_hash", "email"}

// describeCounts renders indicator counts per type: "ipv4 12, dns 3".
func describeCounts(c map[string]int) string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		for i, o := range countOrder {
			if o == k {
				return i
			}
		}
		return len(countOrder)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := rank(keys[i]), rank(keys[j])
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		if c[k] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, c[k]))
		}
	}
	return strings.Join(parts, ", ")
}

// describeSource is the status of one source: "loaded: 46 indicators (stix),
// 2 skipped (first: ...)" or "error: ...".
func describeSource(st lookup.SourceStat) string {
	if st.Error != "" {
		return "error: " + st.Error
	}
	unit := "indicators"
	switch {
	case st.Kind == "warninglist" && st.Total == 1:
		unit = "entry"
	case st.Kind == "warninglist":
		unit = "entries"
	case st.Total == 1:
		unit = "indicator"
	}
	s := fmt.Sprintf("loaded: %d %s", st.Total, unit)
	if st.Format != "" {
		s += " (" + st.Format + ")"
	}
	if st.Skipped > 0 {
		s += fmt.Sprintf(", %d skipped", st.Skipped)
		if len(st.Problems) > 0 {
			s += " (first: " + st.Problems[0] + ")"
		}
	}
	return s
}

func metaTypes(meta map[string]any) []string {
	for _, k := range []string{"ioc_types", "types"} {
		switch v := meta[k].(type) {
		case []string:
			return v
		case []any:
			var out []string
			for _, x := range v {
				out = append(out, fmt.Sprint(x))
			}
			return out
		}
	}
	return nil
}

// progress draws a one-line progress bar on stderr when it is a terminal
// (or --progress always) and the run takes more than half a second. Rows
// are counted as they arrive, in any order; a ticker redraws the line so
// elapsed time and the estimate move even while every pending lookup is
// waiting (a slow provider, a Retry-After pause).
type progress struct {
	w       io.Writer
	on      bool
	total   int
	barSize int

	mu    sync.Mutex
	n     int
	start time.Time
	last  time.Time
	drawn bool

	stop chan struct{}
	wg   sync.WaitGroup
}

// progressDelay is how long a run goes before the bar appears;
// progressEvery is the redraw interval.
const (
	progressDelay = 500 * time.Millisecond
	progressEvery = 100 * time.Millisecond
)

func newProgress(w io.Writer, total int, mode string) *progress {
	p := &progress{w: w, total: total, start: time.Now(), barSize: 30}
	switch mode {
	case "always":
		p.on = true
	case "auto":
		if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			p.on = true
		}
	}
	if p.on && total > 0 {
		p.stop = make(chan struct{})
		p.wg.Add(1)
		go p.tick()
	}
	return p
}

func (p *progress) tick() {
	defer p.wg.Done()
	t := time.NewTicker(progressEvery)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			p.maybeDraw(time.Now())
			p.mu.Unlock()
		}
	}
}

// add counts one finished row.
func (p *progress) add() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if p.on && p.total > 0 {
		p.maybeDraw(time.Now())
	}
}

// maybeDraw redraws once the run is older than progressDelay, at most every
// progressEvery. p.mu is held.
func (p *progress) maybeDraw(now time.Time) {
	if now.Sub(p.start) < progressDelay || now.Sub(p.last) < progressEvery {
		return
	}
	p.last = now
	fmt.Fprint(p.w, "\r"+progressLine(p.n, p.total, now.Sub(p.start), p.barSize))
	p.drawn = true
}

// done stops the ticker and clears the line if one was drawn.
func (p *progress) done() {
	if p.stop != nil {
		close(p.stop)
		p.wg.Wait()
		p.stop = nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

// progressLine renders "[=====>    ]  120/2000 lookups  6% 3.1s eta 48s".
func progressLine(n, total int, elapsed time.Duration, width int) string {
	frac := float64(n) / float64(total)
	if frac > 1 {
		frac = 1
	}
	fill := int(frac * float64(width))
	bar := strings.Repeat("=", fill)
	if fill < width {
		bar += ">" + strings.Repeat(" ", width-fill-1)
	}
	s := fmt.Sprintf("[%s] %*d/%d lookups %3d%% %s", bar, len(fmt.Sprint(total)), n, total, int(frac*100), elapsed.Round(100*time.Millisecond))
	if n > 0 && n < total {
		eta := time.Duration(float64(elapsed) / frac * (1 - frac))
		s += " eta " + eta.Round(time.Second).String()
	}
	return s
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
