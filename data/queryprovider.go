package data

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/msticgo/msticgo/data/dataenv"
	"github.com/msticgo/msticgo/data/querystore"
	"github.com/msticgo/msticgo/data/render"
	"github.com/msticgo/msticgo/registry"
	"github.com/msticgo/msticgo/table"
)

// Binder is an optional ability of drivers whose dialect is "sql": the
// marker for the n-th (1-based) bound parameter in Query.Text. Drivers
// with dialect "sql" that do not implement it get "$n" (PostgreSQL,
// DuckDB).
type Binder interface {
	Placeholder(n int) string
}

// ProviderOptions configure NewQueryProvider.
type ProviderOptions struct {
	// Registry resolves the environment name; nil = registry.Default.
	Registry *registry.Registry
	// Store holds the queries; nil = no queries (Exec only).
	Store *querystore.Store
	// Now is the clock; nil = time.Now.
	Now func() time.Time
	// Entry, Settings, Secrets, BaseDir go to the driver's factory.
	Entry    string
	Settings map[string]string
	Secrets  map[string]bool
	BaseDir  string
	Logger   *slog.Logger
}

// QueryProvider runs the queries of one data environment through its
// driver (MSTICPy's QueryProvider).
type QueryProvider struct {
	env      string // environment used to pick queries
	loadedAs string
	entry    string // the config entry (DataProviders.<entry>), may equal loadedAs
	reg      *registry.Registration
	driver   Driver
	store    *querystore.Store
	style    render.Style
	now      func() time.Time
	start    render.DateTime
	end      render.DateTime
	logger   *slog.Logger

	mu        sync.Mutex
	connected bool
}

// ErrUnknownEnvironment is wrapped when no driver answers to a name.
var ErrUnknownEnvironment = errors.New("unknown data environment")

// ResolveEnvironment finds the data driver registered under name (or an
// alias). A miss is an error listing the registered names with a
// "did you mean".
func ResolveEnvironment(reg *registry.Registry, name string) (*registry.Registration, error) {
	if reg == nil {
		reg = registry.Default
	}
	r, err := reg.Lookup(registry.KindData, name)
	if err == nil {
		return r, nil
	}
	known := reg.Names(registry.KindData)
	drivers := "no data drivers are registered"
	if len(known) > 0 {
		drivers = "drivers: " + strings.Join(known, ", ")
	}
	if e, ok := dataenv.Lookup(name); ok {
		// MSTICPy knows it: the environment is real, msticgo lacks a driver
		alias := ""
		if !strings.EqualFold(e.Name, name) {
			alias = fmt.Sprintf(" (MSTICPy's %s)", e.Name)
		}
		return nil, &envError{msg: fmt.Sprintf("data environment %q%s has no driver in msticgo (%s)", name, alias, drivers)}
	}
	msg := fmt.Sprintf("%q", name)
	cands := append(append([]string(nil), known...), dataenv.AllNames()...)
	if s := registry.Suggest(name, cands); s != "" && !strings.EqualFold(s, name) {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return nil, fmt.Errorf("%w %s; %s", ErrUnknownEnvironment, msg, drivers)
}

// envError is a MSTICPy environment with no driver; it wraps
// ErrUnknownEnvironment without saying "unknown".
type envError struct{ msg string }

func (e *envError) Error() string { return e.msg }
func (e *envError) Unwrap() error { return ErrUnknownEnvironment }

// QueryEnvironment is the environment name used to pick queries for a
// name: the registration's Meta "effective_environment" when it declares
// one (MSTICPy's driver property of that name: every name of the driver
// picks the queries of that environment, e.g. Postgres → PostgreSQL);
// else MSTICPy's canonical name (LogAnalytics → MSSentinel) for its own
// environments; else the name as registered (a plugin driver declaring
// several DATA_ENVIRONMENTS serves each one's queries under its name).
func QueryEnvironment(reg *registry.Registration, name string) string {
	if reg != nil {
		if e, ok := reg.Meta["effective_environment"].(string); ok && e != "" {
			return e
		}
	}
	if e, ok := dataenv.Lookup(name); ok {
		return e.Name
	}
	if reg != nil {
		for _, n := range reg.Names() {
			if strings.EqualFold(n, strings.TrimSpace(name)) {
				return n
			}
		}
	}
	return strings.TrimSpace(name)
}

// NewQueryProvider creates the driver registered under env (name or
// alias; the name is handed to the driver as FactoryArgs.LoadedAs) and
// attaches the store's queries for that environment. The default query
// time (used when a query's required start/end are not given) is fixed
// now: one day before to one day after, as MSTICPy.
func NewQueryProvider(ctx context.Context, env string, opts ProviderOptions) (*QueryProvider, error) {
	reg, err := ResolveEnvironment(opts.Registry, env)
	if err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	entry := opts.Entry
	if entry == "" {
		entry = env
	}
	inst, err := reg.Factory(ctx, registry.FactoryArgs{LoadedAs: env, Entry: entry, Settings: opts.Settings, Secrets: opts.Secrets, BaseDir: opts.BaseDir, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("data environment %s: creating driver: %w", env, err)
	}
	drv, ok := inst.(Driver)
	if !ok {
		return nil, fmt.Errorf("data environment %s: %s provider from %s is not a data driver (%T)", env, reg.Name, reg.Source, inst)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	store := opts.Store
	if store == nil {
		store = querystore.New()
	}
	p := &QueryProvider{env: QueryEnvironment(reg, env), loadedAs: env, entry: entry, reg: reg, driver: drv, store: store, now: now, logger: logger}
	p.style = render.StyleFor(p.env)
	if d, ok := drv.(Dialect); ok {
		p.style.Dialect = d.Dialect()
	}
	if p.style.Dialect == "sql" {
		p.style.Bind = true
		if b, ok := drv.(Binder); ok {
			p.style.Placeholder = b.Placeholder
		}
	}
	t := now().UTC().Truncate(time.Microsecond)
	p.start = render.DateTime{T: t.Add(-24 * time.Hour)}
	p.end = render.DateTime{T: t.Add(24 * time.Hour)}
	return p, nil
}

// label names the provider in errors: the name it was loaded under, and
// the config entry when that has another name ("PG-Prod (PostgreSQL)").
func (p *QueryProvider) label() string {
	if p.entry != "" && !strings.EqualFold(p.entry, p.loadedAs) {
		return p.entry + " (" + p.loadedAs + ")"
	}
	return p.loadedAs
}

// Environment is the environment name used to pick queries.
func (p *QueryProvider) Environment() string { return p.env }

// Driver returns the driver.
func (p *QueryProvider) Driver() Driver { return p.driver }

// Registration returns the driver's registry entry.
func (p *QueryProvider) Registration() *registry.Registration { return p.reg }

// QueryTime is the default start/end for queries that need them.
func (p *QueryProvider) QueryTime() (start, end render.DateTime) { return p.start, p.end }

// Connect opens the driver's connection (connStr may be empty).
func (p *QueryProvider) Connect(ctx context.Context, connStr string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.driver.Connect(ctx, connStr); err != nil {
		return fmt.Errorf("data environment %s: connect: %w", p.label(), err)
	}
	p.connected = true
	return nil
}

// Close closes the driver if it can be closed.
func (p *QueryProvider) Close() error {
	if c, ok := p.driver.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

func (p *QueryProvider) ensureConnected(ctx context.Context) error {
	p.mu.Lock()
	c := p.connected
	p.mu.Unlock()
	if c {
		return nil
	}
	return p.Connect(ctx, "")
}

// Exec runs raw query text (connecting first if needed).
func (p *QueryProvider) Exec(ctx context.Context, text string, limit int) (*Result, error) {
	if err := p.ensureConnected(ctx); err != nil {
		return nil, err
	}
	res, err := p.driver.Query(ctx, Query{Text: text, Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("data environment %s: %w", p.label(), err)
	}
	if res == nil || res.Frame == nil {
		return nil, fmt.Errorf("data environment %s: driver returned no result", p.label())
	}
	return res, nil
}

// Queries lists the queries of the environment, optionally under a
// family, sorted.
func (p *QueryProvider) Queries(family string) []*querystore.Query {
	return p.store.List(p.env, family)
}

// List lists Family.name of the environment's queries whose lower-cased
// name contains substring (case-insensitive).
func (p *QueryProvider) List(substring string) []string {
	var out []string
	sub := strings.ToLower(substring)
	for _, q := range p.store.List(p.env, "") {
		if strings.Contains(strings.ToLower(q.FullName()), sub) {
			out = append(out, q.FullName())
		}
	}
	return out
}

// Query returns a query of the environment by Family.name.
func (p *QueryProvider) Query(name string) (*querystore.Query, error) {
	return p.store.Get(p.env, name)
}

// Help describes a query: description, parameters, template.
func (p *QueryProvider) Help(name string) (string, error) {
	q, err := p.Query(name)
	if err != nil {
		return "", err
	}
	return QueryHelp(q, p.env), nil
}

// QueryHelp is the help text of a query.
func QueryHelp(q *querystore.Query, env string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Query:  %s\nData source:  %s\n", q.FullName(), env)
	desc := q.Description
	if desc == "" {
		desc = "no description"
	}
	fmt.Fprintf(&b, "%s\n\nParameters\n----------\n", desc)
	params := append([]render.Param(nil), q.Params...)
	sort.Slice(params, func(i, j int) bool { return params[i].Name < params[j].Name })
	for _, pr := range params {
		t := pr.Type
		if t == "" {
			t = "str"
		}
		fmt.Fprintf(&b, "%s: %s", pr.Name, t)
		if !pr.Required() {
			b.WriteString(" (optional)")
		}
		b.WriteByte('\n')
		if pr.Description != "" {
			fmt.Fprintf(&b, "    %s\n", pr.Description)
		}
		if !pr.Required() {
			d := fmt.Sprint(pr.Default)
			if len(d) > 50 {
				d = d[:50] + "..."
			}
			if d != "" {
				fmt.Fprintf(&b, "    (default value is: %s)\n", d)
			}
		}
		if len(pr.Aliases) > 0 {
			fmt.Fprintf(&b, "    Aliases: '%s'\n", strings.Join(pr.Aliases, "', '"))
		}
	}
	fmt.Fprintf(&b, "Query:\n%s\n", q.Template)
	return b.String()
}

// Render renders a query with params without running it: exactly the
// text (and bound arguments) the driver would receive.
func (p *QueryProvider) Render(name string, params map[string]any) (*render.Rendered, error) {
	q, err := p.Query(name)
	if err != nil {
		return nil, err
	}
	return q.Prepared.Render(params, p.renderOptions())
}

func (p *QueryProvider) renderOptions() render.Options {
	s, e := p.start, p.end
	return render.Options{Style: p.style, Now: p.now(), DefaultStart: &s, DefaultEnd: &e}
}

// RunOptions tune Run.
type RunOptions struct {
	// SplitBy splits the start..end range into chunks of this interval
	// (MSTICPy's split_query_by: "1D", "6h", "30min").
	SplitBy string
	// Limit caps rows per query (0 = driver default).
	Limit int
	// MaxParallel chunks run at once (default 4; 1 = sequential).
	MaxParallel int
}

// ChunkStatus is the outcome of one chunk of a split run.
type ChunkStatus struct {
	Start, End string // ISO forms
	Rows       int
	Truncated  bool
	Code       string
	Err        error
}

// RunResult is the outcome of Run.
type RunResult struct {
	Query  string // rendered text (of the first chunk for a split run)
	Args   []any
	Result *Result
	Rows   int
	// Chunks is set for split runs, in time order.
	Chunks []ChunkStatus
}

// Failed counts failed chunks.
func (r *RunResult) Failed() int {
	n := 0
	for _, c := range r.Chunks {
		if c.Err != nil {
			n++
		}
	}
	return n
}

// Run renders a query with params and runs it (connecting first if
// needed). With SplitBy, the time range is run in chunks; results are
// merged without duplicate rows, and failed chunks are reported in
// Chunks with Result.Partial set (an error only when every chunk failed).
func (p *QueryProvider) Run(ctx context.Context, name string, params map[string]any, opt RunOptions) (*RunResult, error) {
	q, err := p.Query(name)
	if err != nil {
		return nil, err
	}
	ro := p.renderOptions()
	if opt.SplitBy != "" {
		// Render every chunk before connecting: bad input fails first.
		parts, err := SplitQuery(q, params, opt.SplitBy, ro)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", q.FullName(), err)
		}
		if err := p.ensureConnected(ctx); err != nil {
			return nil, err
		}
		return p.runSplit(ctx, q, parts, opt)
	}
	r, err := q.Prepared.Render(params, ro)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", q.FullName(), err)
	}
	if err := p.ensureConnected(ctx); err != nil {
		return nil, err
	}
	res, err := p.driver.Query(ctx, Query{Text: r.Text, Args: r.Args, Limit: opt.Limit})
	if err != nil {
		return nil, fmt.Errorf("data environment %s: %s: %w", p.label(), q.FullName(), err)
	}
	if res == nil || res.Frame == nil {
		return nil, fmt.Errorf("data environment %s: %s: driver returned no result", p.label(), q.FullName())
	}
	return &RunResult{Query: r.Text, Args: r.Args, Result: res, Rows: res.Frame.Len()}, nil
}

// Chunk is one time range of a split query, rendered.
type Chunk struct {
	Range    render.Range
	Rendered *render.Rendered
}

// SplitQuery renders q once per chunk of its start..end range (MSTICPy's
// split_query_by): consecutive ranges of the interval splitBy with no gap
// and no overlap, the last one ending exactly at end. Every failure is a
// *render.ParamError (bad input): a bad interval, a query without datetime
// start and end parameters, end before start.
func SplitQuery(q *querystore.Query, params map[string]any, splitBy string, opt render.Options) ([]Chunk, error) {
	first, err := q.Prepared.Render(params, opt)
	if err != nil {
		return nil, err
	}
	start, ok1 := first.Value("start").(render.DateTime)
	end, ok2 := first.Value("end").(render.DateTime)
	if !ok1 || !ok2 {
		return nil, &render.ParamError{Param: "split_query_by", Err: errors.New("cannot split a query without datetime start and end parameters")}
	}
	d, err := render.ParseInterval(splitBy)
	if err != nil {
		return nil, &render.ParamError{Param: "split_query_by", Err: err}
	}
	ranges, err := render.SplitRanges(start, end, d)
	if err != nil {
		return nil, &render.ParamError{Param: "split_query_by", Err: err}
	}
	given, err := q.Prepared.Resolve(params)
	if err != nil {
		return nil, err
	}
	out := make([]Chunk, len(ranges))
	for i, rg := range ranges {
		vals := make(map[string]any, len(given)+2)
		for k, v := range given {
			vals[k] = v
		}
		vals["start"], vals["end"] = rg.Start, rg.End
		rr, err := q.Prepared.Render(vals, opt)
		if err != nil {
			return nil, fmt.Errorf("chunk %s..%s: %w", rg.Start.ISO(), rg.End.ISO(), err)
		}
		out[i] = Chunk{Range: rg, Rendered: rr}
	}
	return out, nil
}

// RenderSplit is SplitQuery with the provider's rendering (its driver's
// dialect, bound parameters and default query time): exactly the texts
// Run sends for a split run.
func (p *QueryProvider) RenderSplit(name string, params map[string]any, splitBy string) ([]Chunk, error) {
	q, err := p.Query(name)
	if err != nil {
		return nil, err
	}
	return SplitQuery(q, params, splitBy, p.renderOptions())
}

func (p *QueryProvider) runSplit(ctx context.Context, q *querystore.Query, parts []Chunk, opt RunOptions) (*RunResult, error) {
	results := make([]*Result, len(parts))
	status := make([]ChunkStatus, len(parts))
	for i, c := range parts {
		status[i] = ChunkStatus{Start: c.Range.Start.ISO(), End: c.Range.End.ISO()}
	}
	par := opt.MaxParallel
	if par <= 0 {
		par = 4
	}
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i := range parts {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			r := parts[i].Rendered
			res, err := p.driver.Query(ctx, Query{Text: r.Text, Args: r.Args, Limit: opt.Limit})
			if err == nil && (res == nil || res.Frame == nil) {
				err = errors.New("driver returned no result")
			}
			if err != nil {
				status[i].Err = err
				return
			}
			results[i] = res
			status[i].Rows = res.Frame.Len()
			status[i].Truncated = res.Truncated
			status[i].Code = res.Code
		}(i)
	}
	wg.Wait()
	var frames []*table.Frame
	var starts []time.Time // each frame's chunk start; zero after a failed chunk
	merged := &Result{}
	var errs []string
	for i, res := range results {
		if status[i].Err != nil {
			errs = append(errs, fmt.Sprintf("%s..%s: %v", status[i].Start, status[i].End, status[i].Err))
			continue
		}
		frames = append(frames, res.Frame)
		if i > 0 && status[i-1].Err == nil {
			starts = append(starts, parts[i].Range.Start.T)
		} else {
			starts = append(starts, time.Time{})
		}
		if res.Truncated {
			merged.Truncated = true
			if merged.Code == "" {
				merged.Code = res.Code
			}
		}
		merged.Partial = merged.Partial || res.Partial
	}
	out := &RunResult{Query: parts[0].Rendered.Text, Args: parts[0].Rendered.Args, Chunks: status}
	if len(frames) == 0 {
		return out, fmt.Errorf("data environment %s: %s: all %d chunks failed: %s", p.label(), q.FullName(), len(parts), strings.Join(errs, "; "))
	}
	if len(errs) > 0 {
		merged.Partial = true
		if merged.Code == "" {
			merged.Code = "chunks_failed"
		}
	}
	var dropped int
	merged.Frame, dropped = MergeChunks(frames, starts)
	if dropped > 0 {
		p.logger.Debug("split run: rows returned for two neighbouring chunks kept once", "query", q.FullName(), "rows", dropped)
	}
	out.Result = merged
	out.Rows = merged.Frame.Len()
	return out, nil
}

// boundarySlack is how far from a chunk boundary a row's time may be and
// still count as that boundary: back ends keep microseconds (DuckDB,
// PostgreSQL), 100 ns (KQL) or milliseconds, so the boundary's last
// nanosecond of the earlier chunk may come back as the boundary itself.
const boundarySlack = time.Millisecond

// MergeFrames concatenates frames (columns by name, in first-seen order);
// every row is kept, as MSTICPy's concatenation of chunk results.
func MergeFrames(frames []*table.Frame) *table.Frame {
	m, _ := MergeChunks(frames, nil)
	return m
}

// MergeChunks concatenates the frames of consecutive chunks of a split run
// (columns by name, in first-seen order). starts[i], when set, is the time
// at which frames[i]'s chunk begins, which is where the chunk before it
// ends. A row of frames[i] is dropped only when it equals a row of
// frames[i-1] and holds a time within boundarySlack of starts[i]: the one
// row a back end that rounds the boundary to its own precision returns for
// both chunks. Every other row is kept, equal or not (rows of a query that
// selects no time column are never dropped). dropped counts the rows left
// out.
func MergeChunks(frames []*table.Frame, starts []time.Time) (out *table.Frame, dropped int) {
	out = &table.Frame{}
	idx := map[string]int{}
	for _, f := range frames {
		for _, c := range f.Columns {
			if _, ok := idx[c.Name]; !ok {
				idx[c.Name] = len(out.Columns)
				out.Columns = append(out.Columns, c)
			} else if out.Columns[idx[c.Name]].Type != c.Type {
				out.Columns[idx[c.Name]].Type = table.Any
			}
		}
	}
	var kb strings.Builder
	key := func(row []any) string {
		kb.Reset()
		for _, v := range row {
			// type and length first: no value's text can pass for
			// another column's
			t := fmt.Sprintf("%T:%v", v, v)
			kb.WriteString(strconv.Itoa(len(t)))
			kb.WriteByte(':')
			kb.WriteString(t)
		}
		return kb.String()
	}
	var prev map[string]bool // rows of the frame before, when its chunk ends at this one's start
	for fi, f := range frames {
		pos := make([]int, len(f.Columns))
		for i, c := range f.Columns {
			pos[i] = idx[c.Name]
		}
		var boundary time.Time
		if fi < len(starts) {
			boundary = starts[fi]
		}
		check := prev != nil && !boundary.IsZero()
		var this map[string]bool
		if fi+1 < len(starts) && !starts[fi+1].IsZero() {
			this = map[string]bool{}
		}
		for _, row := range f.Rows {
			nr := make([]any, len(out.Columns))
			for i, v := range row {
				if i < len(pos) {
					nr[pos[i]] = v
				}
			}
			var k string
			if check || this != nil {
				k = key(nr)
			}
			if check && prev[k] && atBoundary(nr, boundary) {
				dropped++
				continue
			}
			if this != nil {
				this[k] = true
			}
			out.Rows = append(out.Rows, nr)
		}
		prev = this
	}
	return out, dropped
}

// atBoundary reports whether a row holds a time within boundarySlack of b.
func atBoundary(row []any, b time.Time) bool {
	for _, v := range row {
		if t, ok := v.(time.Time); ok {
			if d := t.Sub(b); d <= boundarySlack && d >= -boundarySlack {
				return true
			}
		}
	}
	return false
}

// FormatArgs writes bound arguments for display: $1='a', ...
func FormatArgs(args []any) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = "$" + strconv.Itoa(i+1) + "=" + strconv.Quote(fmt.Sprint(a))
	}
	return strings.Join(parts, " ")
}
