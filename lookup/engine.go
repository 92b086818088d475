package lookup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/msticgo/msticgo/table"
)

// Mode says which kind of lookup an Engine runs. It decides the column names
// and whether non-routable addresses may be sent.
type Mode int

const (
	// ModeTI is a threat-intelligence lookup: non-routable addresses are
	// never sent anywhere; rows use Ioc/IocType/SafeIoc and carry Severity.
	ModeTI Mode = iota
	// ModeContext is a context lookup (CMDB, asset inventory): private
	// addresses are sent (that is where they belong); rows use
	// Observable/ObservableType/SafeObservable and have no Severity.
	ModeContext
)

// Input is one indicator as given by the caller.
type Input struct {
	Value   string // the text as given
	Type    string // explicit type ("" = infer)
	SubType string // optional query sub-type
}

// Check is the outcome of preparing an input.
type Check int

// Preparation outcomes.
const (
	CheckOK          Check = iota // typed and cleaned: may be sent
	CheckInvalid                  // not a valid indicator of its type
	CheckNotRoutable              // valid, but a non-global address
)

// Prepared is an input after typing and cleaning.
type Prepared struct {
	Item   Item   // Ioc, Type and Value filled in (Value empty when invalid)
	Check  Check  // whether it may be sent
	Reason string // why not, in one line (names the address class for CheckNotRoutable)
}

// Preparer types and cleans one input. explicitType is "" when the type is
// to be inferred. It must be safe for concurrent use.
type Preparer func(input, explicitType string) Prepared

// PassThrough is the Preparer used when none is given: the explicit type (or
// "unknown") and the trimmed input, never rejected. Programs normally pass
// IOCPreparer.
func PassThrough(input, explicitType string) Prepared {
	t := explicitType
	if t == "" {
		t = "unknown"
	}
	return Prepared{Item: Item{Ioc: input, Type: t, Value: strings.TrimSpace(input)}}
}

// ProviderSpec is one selected provider entry, as the engine sees it.
type ProviderSpec struct {
	// Name is the config entry name: the Provider column and the
	// --providers selection name.
	Name string
	// Kind is the registered provider name it was created from (display only).
	Kind string
	// Provider answers lookups. It may be nil when NotConfigured is set.
	Provider Provider
	// Primary providers are used when no names are given.
	Primary bool
	// NotConfigured, when set, is the reason the entry cannot run (for
	// example "AuthKey not set"): its rows get StatusNotConfigured and no
	// call is made.
	NotConfigured string
	// SettingProblems lists each bad limit setting of the entry (Timeout:
	// soon, Burst: many), one message per setting, all of them; set
	// together with NotConfigured, which joins them.
	SettingProblems []string
	// Limits override the provider's own (non-zero fields win).
	Limits Limits
	// Description is shown by listings.
	Description string
	// CacheID is the identity of the entry's answers in the cache (and the
	// name of its cache file): EntrySpecs and Build set it to the entry
	// name and a fingerprint of the provider type, its code and every
	// setting but the limits, so another config, BaseURL, key or feed list
	// never shares answers. Empty = Name.
	CacheID string
	// QuotaID is the identity of the daily quota the entry's calls spend
	// (and the name of its count file): EntrySpecs sets it to the provider
	// type and a fingerprint of its BaseURL (or Instance) and secrets, so
	// entries calling one service with one key share one count, and a test
	// server never spends the real service's quota. Empty = Name.
	QuotaID string
}

// Engine defaults.
const (
	DefaultTimeout       = 30 * time.Second
	DefaultConcurrency   = 4
	DefaultRetries       = 3
	DefaultMaxRetryAfter = 60 * time.Second
	DefaultBackoffBase   = 500 * time.Millisecond
	DefaultBackoffMax    = 30 * time.Second
)

// Options tune an Engine. The zero value is usable.
type Options struct {
	Mode    Mode
	Prepare Preparer // nil = PassThrough
	// Cache holds OK results across calls (and runs, when it has a folder).
	// nil = no cache.
	Cache *Cache
	// QuotaDir, when set, is the folder where daily quota counts persist
	// across runs (normally the disk cache folder). Empty = in memory.
	QuotaDir string
	// Defaults for providers that declare nothing.
	DefaultTimeout     time.Duration // per call; default 30s
	DefaultConcurrency int           // default 4
	DefaultRetries     int           // retry budget; default 3
	// MaxRetryAfter caps a provider's Retry-After: a longer wait is not
	// waited; the item ends rate limited at once. Default 60s.
	MaxRetryAfter time.Duration
	// Exponential backoff with full jitter between retries.
	BackoffBase time.Duration // default 500ms
	BackoffMax  time.Duration // default 30s
	Now         func() time.Time
	Logger      *slog.Logger

	// wait waits d before a retry (why "retry") or out of a provider-wide
	// pause (why "pause"); false when ctx ended first. nil: the real
	// clock. Tests set it to see the waits asked for without waiting.
	wait func(ctx context.Context, d time.Duration, why string) bool
}

// Engine runs lookups of many indicators against selected providers. It
// keeps per-provider limits (rate, concurrency, daily quota) across calls,
// so a program should reuse one Engine. It is safe for concurrent use.
type Engine struct {
	opts  Options
	provs []*provRun
}

// NewEngine returns an engine over the given provider entries, which must
// already be selected (see Select). Entries keep their order in output.
func NewEngine(specs []ProviderSpec, opts Options) *Engine {
	if opts.Prepare == nil {
		opts.Prepare = PassThrough
	}
	if opts.DefaultTimeout <= 0 {
		opts.DefaultTimeout = DefaultTimeout
	}
	if opts.DefaultConcurrency <= 0 {
		opts.DefaultConcurrency = DefaultConcurrency
	}
	if opts.DefaultRetries == 0 {
		opts.DefaultRetries = DefaultRetries
	}
	if opts.MaxRetryAfter <= 0 {
		opts.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if opts.BackoffBase <= 0 {
		opts.BackoffBase = DefaultBackoffBase
	}
	if opts.BackoffMax <= 0 {
		opts.BackoffMax = DefaultBackoffMax
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.wait == nil {
		opts.wait = func(ctx context.Context, d time.Duration, _ string) bool { return sleep(ctx, d) }
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	e := &Engine{opts: opts}
	quotas := map[string]*quota{}
	for _, s := range specs {
		p := newProvRun(s, &e.opts)
		// entries calling one service with one key spend one daily count
		if q, ok := quotas[s.quotaID()]; ok && p.quota.limit > 0 {
			if q.limit <= 0 || p.quota.limit < q.limit {
				q.limit = p.quota.limit
			}
			p.quota = q
		} else if p.quota.limit > 0 {
			quotas[s.quotaID()] = p.quota
		}
		e.provs = append(e.provs, p)
	}
	return e
}

// Providers returns the entries the engine runs, in output order.
func (e *Engine) Providers() []ProviderSpec {
	out := make([]ProviderSpec, len(e.provs))
	for i, p := range e.provs {
		out[i] = p.spec
	}
	return out
}

// Mode returns the engine's mode.
func (e *Engine) Mode() Mode { return e.opts.Mode }

// Row is one (input, provider) outcome.
type Row struct {
	Index         int    // position of the input
	ProviderIndex int    // position of the provider entry
	Provider      string // provider entry name
	Item          Item   // the prepared item (Value empty when invalid)
	Result        Result
	Cached        bool // answered from the cache
}

// Summary counts what a call did.
type Summary struct {
	Inputs    int
	Providers int
	Rows      int
	Calls     int // provider calls made (batches count once, retries count)
	CacheHits int // distinct keys answered from the cache
	ByStatus  map[Status]int
	Elapsed   time.Duration
}

// Failed is the number of rows whose item could not be answered: invalid
// input, not configured, timeout, rate limited, provider error or unexpected
// response. Found, not found, unsupported type and not routable are answers.
func (s Summary) Failed() int {
	n := 0
	for st, c := range s.ByStatus {
		switch st {
		case StatusFound, StatusNotFound, StatusUnsupported, StatusNotRoutable:
		default:
			n += c
		}
	}
	return n
}

// ErrNoProviders is returned when a lookup has no provider to ask.
var ErrNoProviders = errors.New("no lookup providers selected")

// Lookup runs every input against every provider and returns the rows as a
// Frame in input order (for each input, providers in engine order), with
// the mode's columns (see Columns). It fails only when there is no
// provider; per-item failures are row statuses.
func (e *Engine) Lookup(ctx context.Context, inputs []Input) (*table.Frame, Summary, error) {
	rows, sum, err := e.Rows(ctx, inputs)
	if err != nil {
		return nil, sum, err
	}
	return Frame(e.opts.Mode, rows), sum, nil
}

// Rows is Lookup returning typed rows (in the same order) instead of a Frame.
func (e *Engine) Rows(ctx context.Context, inputs []Input) ([]Row, Summary, error) {
	if len(e.provs) == 0 {
		return nil, Summary{}, ErrNoProviders
	}
	rows := make([]Row, len(inputs)*len(e.provs))
	sum := e.Stream(ctx, inputs, func(r Row) {
		rows[r.Index*len(e.provs)+r.ProviderIndex] = r
	})
	return rows, sum, nil
}

// Stream runs every input against every provider and calls emit once per
// (input, provider) as each result is ready (not in input order; use
// InOrder to reorder). emit is never called concurrently. Stream returns
// when every row has been emitted; it never drops a row, even when ctx is
// cancelled (remaining rows then end with StatusTimeout).
func (e *Engine) Stream(ctx context.Context, inputs []Input, emit func(Row)) Summary {
	start := time.Now()
	sum := Summary{Inputs: len(inputs), Providers: len(e.provs), ByStatus: map[Status]int{}}
	prepared := make([]Prepared, len(inputs))
	for i, in := range inputs {
		p := e.opts.Prepare(in.Value, strings.TrimSpace(in.Type))
		if e.opts.Mode == ModeContext {
			p = contextHostPrepared(in.Value, strings.TrimSpace(in.Type), p)
		}
		p.Item.Ioc = in.Value
		p.Item.SubType = in.SubType
		if p.Check == CheckOK && strings.HasSuffix(p.Item.Type, "_hash") {
			p.Item.Value = strings.ToLower(p.Item.Value)
		}
		prepared[i] = p
	}
	var mu sync.Mutex
	out := func(r Row) {
		mu.Lock()
		sum.Rows++
		sum.ByStatus[r.Result.Status]++
		emit(r)
		mu.Unlock()
	}
	var wg sync.WaitGroup
	stats := make([]runStats, len(e.provs))
	for pi, p := range e.provs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stats[pi] = p.run(ctx, pi, e.opts.Mode, prepared, out)
		}()
	}
	wg.Wait()
	for _, s := range stats {
		sum.Calls += s.calls
		sum.CacheHits += s.cacheHits
	}
	if e.opts.Cache != nil {
		if err := e.opts.Cache.Flush(); err != nil {
			e.opts.Logger.Warn("lookup cache not saved", "err", err)
		}
	}
	for _, p := range e.provs {
		if err := p.quota.save(); err != nil {
			e.opts.Logger.Warn("daily quota count not saved", "provider", p.spec.Name, "err", err)
		}
	}
	sum.Elapsed = time.Since(start)
	return sum
}

// InOrder wraps emit so rows reach it in input order (for each input,
// providers in order), as soon as every earlier row is ready. Use it with
// Stream to print progressively in order. The returned function is not
// safe for concurrent use (Stream never calls it concurrently).
func InOrder(providers int, emit func(Row)) func(Row) {
	pending := map[int]Row{}
	next := 0
	return func(r Row) {
		pending[r.Index*providers+r.ProviderIndex] = r
		for {
			row, ok := pending[next]
			if !ok {
				return
			}
			delete(pending, next)
			next++
			emit(row)
		}
	}
}

// cacheKey is the key of one item for one provider entry: type, sub-type
// and normalised value.
func cacheKey(it Item) string {
	return it.Type + "\x00" + it.SubType + "\x00" + it.Value
}

func notSupportedMessage(t string) string {
	return fmt.Sprintf("Type %s not supported.", t)
}

// Close closes every provider that holds resources (implements io.Closer).
func (e *Engine) Close() error {
	var errs []error
	for _, p := range e.provs {
		if c, ok := p.spec.Provider.(io.Closer); ok && p.spec.Provider != nil {
			if err := c.Close(); err != nil {
				errs = append(errs, fmt.Errorf("closing %s: %w", p.spec.Name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// DescribeLimits renders limits for listings, e.g. "200/s burst 1, 4
// parallel, 500/day, timeout 30s, 3 retries, batches of 100".
func DescribeLimits(l Limits) string {
	var parts []string
	switch {
	case l.PerSecond > 0:
		parts = append(parts, fmt.Sprintf("%g/s", l.PerSecond))
	case l.PerMinute > 0:
		parts = append(parts, fmt.Sprintf("%g/min", l.PerMinute))
	default:
		parts = append(parts, "no rate limit")
	}
	if l.Burst > 1 {
		parts[0] += fmt.Sprintf(" burst %d", l.Burst)
	}
	parts = append(parts, fmt.Sprintf("%d parallel", l.Concurrency))
	if l.DailyQuota > 0 {
		parts = append(parts, fmt.Sprintf("%d/day", l.DailyQuota))
	}
	parts = append(parts, "timeout "+l.Timeout.String())
	parts = append(parts, fmt.Sprintf("%d retries", l.Retries))
	if l.MaxBatch > 1 {
		parts = append(parts, fmt.Sprintf("batches of %d", l.MaxBatch))
	}
	return strings.Join(parts, ", ")
}
