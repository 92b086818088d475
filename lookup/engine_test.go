package lookup

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// simplePrepare is a stand-in typing rule for engine tests that do not
// exercise the ioc package: the explicit type wins, "10.*" is private, an
// md5_hash must be 32 hex characters.
func simplePrepare(in, typ string) Prepared {
	v := strings.TrimSpace(in)
	it := Item{Ioc: in, Type: typ, Value: v}
	if typ == "" {
		it.Type = "dns"
	}
	switch {
	case strings.HasPrefix(v, "10."):
		return Prepared{Item: it, Check: CheckNotRoutable, Reason: "not routable: private address"}
	case it.Type == "md5_hash" && (len(v) != 32 || strings.Trim(strings.ToLower(v), "0123456789abcdef") != ""):
		it.Value = ""
		return Prepared{Item: it, Check: CheckInvalid, Reason: "not a md5_hash"}
	}
	return Prepared{Item: it}
}

// countingProvider answers instantly: found for values starting "evil".
type countingProvider struct {
	calls atomic.Int64
	mu    sync.Mutex
	seen  []string
	types []string
}

func (p *countingProvider) Lookup(_ context.Context, it Item) Result {
	p.calls.Add(1)
	p.mu.Lock()
	p.seen = append(p.seen, it.Value)
	p.mu.Unlock()
	if strings.HasPrefix(it.Value, "evil") {
		return Result{Status: StatusFound, Found: true, Severity: SevHigh, Details: "bad"}
	}
	return Result{Status: StatusNotFound}
}

func (p *countingProvider) SupportedTypes() []string {
	if p.types == nil {
		return []string{"dns", "ipv4", "file_hash", "url-path"}
	}
	return p.types
}

func inputs(vals ...string) []Input {
	var out []Input
	for _, v := range vals {
		typ, val, ok := strings.Cut(v, ":")
		if !ok {
			val, typ = v, ""
		}
		out = append(out, Input{Value: val, Type: typ})
	}
	return out
}

func TestEngineRowsOrderDedupStatuses(t *testing.T) {
	a, b := &countingProvider{}, &countingProvider{types: []string{"ipv4"}}
	e := NewEngine([]ProviderSpec{
		{Name: "A", Provider: a, Primary: true},
		{Name: "B", Provider: b},
		{Name: "C", NotConfigured: "C_KEY not set"},
	}, Options{Prepare: simplePrepare})
	in := inputs(
		"md5_hash:44D88612FEA8A8F36DE82E1278ABB02F",
		"evil.example.com",
		"md5_hash:44d88612fea8a8f36de82e1278abb02f",
		"md5_hash:zz-not-a-hash",
		"ipv4:10.1.2.3",
		"md5_hash:44d88612FEA8a8f36de82e1278abb02f",
		"email:a@b.example",
	)
	rows, sum, err := e.Rows(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(in)*3 {
		t.Fatalf("got %d rows, want %d", len(rows), len(in)*3)
	}
	if got := a.calls.Load(); got != 2 {
		t.Errorf("provider A made %d calls, want 2 (one per distinct key): %v", got, a.seen)
	}
	if got := b.calls.Load(); got != 0 {
		t.Errorf("provider B made %d calls, want 0", got)
	}
	want := []struct {
		provider string
		status   Status
	}{
		{"A", StatusNotFound}, {"B", StatusUnsupported}, {"C", StatusNotConfigured},
		{"A", StatusFound}, {"B", StatusUnsupported}, {"C", StatusNotConfigured},
		{"A", StatusNotFound}, {"B", StatusUnsupported}, {"C", StatusNotConfigured},
		// invalid and not routable are decided before configuration
		{"A", StatusInvalid}, {"B", StatusInvalid}, {"C", StatusInvalid},
		{"A", StatusNotRoutable}, {"B", StatusNotRoutable}, {"C", StatusNotRoutable},
		{"A", StatusNotFound}, {"B", StatusUnsupported}, {"C", StatusNotConfigured},
		{"A", StatusUnsupported}, {"B", StatusUnsupported}, {"C", StatusNotConfigured},
	}
	for i, w := range want {
		r := rows[i]
		if r.Index != i/3 || r.Provider != w.provider || r.Result.Status != w.status {
			t.Errorf("row %d: index %d provider %s status %v; want %d %s %v (%s)", i, r.Index, r.Provider, r.Result.Status, i/3, w.provider, w.status, r.Result.Message)
		}
	}
	if rows[0].Item.Value != "44d88612fea8a8f36de82e1278abb02f" {
		t.Errorf("hash not keyed in lower case: %q", rows[0].Item.Value)
	}
	if rows[0].Item.Ioc != "44D88612FEA8A8F36DE82E1278ABB02F" {
		t.Errorf("Ioc must stay as given: %q", rows[0].Item.Ioc)
	}
	if got := rows[2].Result.Message; got != "not configured: C_KEY not set" {
		t.Errorf("not configured message %q", got)
	}
	if sum.Rows != 21 || sum.Calls != 2 || sum.ByStatus[StatusNotConfigured] != 5 {
		t.Errorf("summary %+v", sum)
	}
	if sum.Failed() != 5+3 {
		t.Errorf("Failed() = %d, want 8 (5 not configured + 3 invalid)", sum.Failed())
	}
}

func TestEngineFrameColumns(t *testing.T) {
	p := &countingProvider{}
	e := NewEngine([]ProviderSpec{{Name: "A", Provider: p}}, Options{Prepare: simplePrepare})
	f, _, err := e.Lookup(context.Background(), inputs("evil.example", "md5_hash:nothex"))
	if err != nil {
		t.Fatal(err)
	}
	wantCols := "Ioc,IocType,SafeIoc,QuerySubtype,Provider,Result,Severity,Details,RawResult,Reference,Status,StatusName"
	if got := strings.Join(f.Names(), ","); got != wantCols {
		t.Fatalf("columns %s", got)
	}
	r0, r1 := f.Rows[0], f.Rows[1]
	if r0[0] != "evil.example" || r0[5] != true || r0[6] != "high" || r0[10] != int64(0) || r0[11] != "found" {
		t.Errorf("row 0 = %v", r0)
	}
	if r1[2] != nil || r1[10] != int64(2) || r1[11] != "invalid input" || r1[7] != "not a md5_hash" || r1[6] != "unknown" {
		t.Errorf("row 1 = %v", r1)
	}
	ce := NewEngine([]ProviderSpec{{Name: "A", Provider: p}}, Options{Prepare: simplePrepare, Mode: ModeContext})
	cf, _, _ := ce.Lookup(context.Background(), inputs("ipv4:10.0.0.1"))
	if got := strings.Join(cf.Names(), ","); got != "Observable,ObservableType,SafeObservable,Provider,Result,Details,RawResult,Reference,Status,StatusName" {
		t.Errorf("context columns %s", got)
	}
	// Context mode sends private addresses (an internal CMDB is where they belong).
	if cf.Rows[0][9] != "not found" {
		t.Errorf("context row for a private address = %v", cf.Rows[0])
	}
}

func TestEngineNoProviders(t *testing.T) {
	e := NewEngine(nil, Options{})
	if _, _, err := e.Lookup(context.Background(), inputs("x")); err == nil {
		t.Fatal("want an error with no providers")
	}
}

func TestInOrder(t *testing.T) {
	var got []string
	emit := InOrder(2, func(r Row) { got = append(got, fmt.Sprintf("%d/%d", r.Index, r.ProviderIndex)) })
	for _, x := range [][2]int{{1, 0}, {0, 1}, {0, 0}, {1, 1}} {
		emit(Row{Index: x[0], ProviderIndex: x[1]})
	}
	if strings.Join(got, " ") != "0/0 0/1 1/0 1/1" {
		t.Errorf("order %v", got)
	}
}

func TestStreamInOrderLarge(t *testing.T) {
	p := &countingProvider{}
	e := NewEngine([]ProviderSpec{{Name: "A", Provider: p}, {Name: "B", Provider: p}}, Options{Prepare: simplePrepare, DefaultConcurrency: 8})
	var in []Input
	for i := range 500 {
		in = append(in, Input{Value: fmt.Sprintf("h%d.example", i)})
	}
	next := 0
	e.Stream(context.Background(), in, InOrder(2, func(r Row) {
		if r.Index*2+r.ProviderIndex != next {
			t.Fatalf("row %d/%d arrived at position %d", r.Index, r.ProviderIndex, next)
		}
		next++
	}))
	if next != 1000 {
		t.Fatalf("emitted %d rows, want 1000", next)
	}
}

type batchProvider struct {
	countingProvider
	batches atomic.Int64
}

func (p *batchProvider) Limits() Limits { return Limits{MaxBatch: 3} }
func (p *batchProvider) LookupBatch(ctx context.Context, items []Item) []Result {
	p.batches.Add(1)
	out := make([]Result, len(items))
	for i, it := range items {
		out[i] = p.Lookup(ctx, it)
	}
	return out
}

func TestEngineBatch(t *testing.T) {
	p := &batchProvider{}
	e := NewEngine([]ProviderSpec{{Name: "A", Provider: p}}, Options{Prepare: simplePrepare})
	rows, sum, _ := e.Rows(context.Background(), inputs("evil1", "a", "b", "c", "d", "e", "f"))
	if p.batches.Load() != 3 || sum.Calls != 3 {
		t.Errorf("batches %d calls %d, want 3", p.batches.Load(), sum.Calls)
	}
	if rows[0].Result.Status != StatusFound || rows[6].Result.Status != StatusNotFound {
		t.Errorf("rows %v %v", rows[0].Result, rows[6].Result)
	}
}

type shortBatch struct{ countingProvider }

func (p *shortBatch) Limits() Limits { return Limits{MaxBatch: 5} }
func (p *shortBatch) LookupBatch(_ context.Context, items []Item) []Result {
	return make([]Result, len(items)-1)
}

type panicky struct{ countingProvider }

func (p *panicky) Lookup(_ context.Context, it Item) Result {
	if it.Value == "boom" {
		panic("secret-token-in-panic")
	}
	return Result{Status: StatusNotFound}
}

func TestEngineMisbehavingProviders(t *testing.T) {
	rows, _, _ := NewEngine([]ProviderSpec{{Name: "S", Provider: &shortBatch{}}}, Options{Prepare: simplePrepare}).
		Rows(context.Background(), inputs("a", "b"))
	for _, r := range rows {
		if r.Result.Status != StatusUnexpected {
			t.Errorf("short batch: %v", r.Result)
		}
	}
	rows, _, _ = NewEngine([]ProviderSpec{{Name: "P", Provider: &panicky{}}}, Options{Prepare: simplePrepare}).
		Rows(context.Background(), inputs("a", "boom", "c"))
	if rows[1].Result.Status != StatusProviderError || strings.Contains(rows[1].Result.Message, "secret") {
		t.Errorf("panic row: %+v", rows[1].Result)
	}
	if rows[0].Result.Status != StatusNotFound || rows[2].Result.Status != StatusNotFound {
		t.Errorf("other rows lost: %v %v", rows[0].Result, rows[2].Result)
	}
}

// ignoresCtx never honours its context: the engine must abandon it.
type ignoresCtx struct{ release chan struct{} }

func (p *ignoresCtx) Lookup(_ context.Context, it Item) Result {
	if it.Value == "stall" {
		<-p.release
	}
	return Result{Status: StatusNotFound}
}

func TestEngineAbandonsProviderIgnoringContext(t *testing.T) {
	p := &ignoresCtx{release: make(chan struct{})}
	defer close(p.release)
	e := NewEngine([]ProviderSpec{{Name: "X", Provider: p, Limits: Limits{Timeout: 100 * time.Millisecond}}}, Options{Prepare: simplePrepare})
	rows, _, _ := e.Rows(context.Background(), inputs("ok1", "stall", "ok2"))
	if rows[1].Result.Status != StatusTimeout || rows[0].Result.Status != StatusNotFound || rows[2].Result.Status != StatusNotFound {
		t.Errorf("rows %v / %v / %v", rows[0].Result, rows[1].Result, rows[2].Result)
	}
}

func TestEngineCancelledKeepsEveryRow(t *testing.T) {
	p := &ignoresCtx{release: make(chan struct{})}
	defer close(p.release)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	e := NewEngine([]ProviderSpec{{Name: "X", Provider: p, Limits: Limits{Concurrency: 1, PerSecond: 5}}}, Options{Prepare: simplePrepare})
	rows, sum, _ := e.Rows(ctx, inputs("ok1", "stall", "ok2", "ok3", "ok4"))
	if sum.Rows != 5 {
		t.Fatalf("rows %d", sum.Rows)
	}
	if rows[0].Result.Status != StatusNotFound {
		t.Errorf("finished row lost: %v", rows[0].Result)
	}
	for _, r := range rows[1:] {
		if r.Result.Status != StatusTimeout {
			t.Errorf("row %d: %v", r.Index, r.Result)
		}
	}
}

func TestCacheMemoryDiskTTL(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	p := &countingProvider{}
	run := func(c *Cache) []Row {
		e := NewEngine([]ProviderSpec{{Name: "VT", Provider: p}}, Options{Prepare: simplePrepare, Cache: c})
		rows, _, _ := e.Rows(context.Background(), inputs("evil.example", "fine.example", "md5_hash:bad"))
		return rows
	}
	run(NewCache(dir, time.Hour, clock))
	if p.calls.Load() != 2 {
		t.Fatalf("first run calls %d", p.calls.Load())
	}
	rows := run(NewCache(dir, time.Hour, clock)) // a new process: from disk
	if p.calls.Load() != 2 {
		t.Fatalf("second run spent %d more calls", p.calls.Load()-2)
	}
	if !rows[0].Cached || rows[0].Result.Status != StatusFound || rows[0].Result.Severity != SevHigh || rows[0].Result.Details != "bad" {
		t.Errorf("cached row %+v", rows[0])
	}
	now = now.Add(2 * time.Hour)
	run(NewCache(dir, time.Hour, clock))
	if p.calls.Load() != 4 {
		t.Errorf("after TTL calls = %d, want 4", p.calls.Load())
	}
	// Errors are never cached.
	c := NewCache("", 0, nil)
	c.Put("X", "k", Result{Status: StatusRateLimited})
	if _, ok := c.Get("X", "k"); ok {
		t.Error("a rate-limited answer was cached")
	}
}

func TestDailyQuotaPersists(t *testing.T) {
	dir := t.TempDir()
	day := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return day }
	p := &countingProvider{}
	spec := []ProviderSpec{{Name: "Q", Provider: p, Limits: Limits{DailyQuota: 3, Concurrency: 1}}}
	rows, _, _ := NewEngine(spec, Options{Prepare: simplePrepare, QuotaDir: dir, Now: clock}).
		Rows(context.Background(), inputs("a1", "a2"))
	for _, r := range rows {
		if r.Result.Status != StatusNotFound {
			t.Fatalf("row %v", r.Result)
		}
	}
	rows, _, _ = NewEngine(spec, Options{Prepare: simplePrepare, QuotaDir: dir, Now: clock}).
		Rows(context.Background(), inputs("b1", "b2", "b3"))
	if rows[0].Result.Status != StatusNotFound || rows[1].Result.Status != StatusRateLimited || rows[2].Result.Status != StatusRateLimited {
		t.Errorf("quota rows %v / %v / %v", rows[0].Result, rows[1].Result, rows[2].Result)
	}
	if !strings.Contains(rows[1].Result.Message, "daily quota of 3") {
		t.Errorf("message %q", rows[1].Result.Message)
	}
	day = day.Add(24 * time.Hour)
	rows, _, _ = NewEngine(spec, Options{Prepare: simplePrepare, QuotaDir: dir, Now: clock}).
		Rows(context.Background(), inputs("c1"))
	if rows[0].Result.Status != StatusNotFound {
		t.Errorf("next day %v", rows[0].Result)
	}
	if p.calls.Load() != 4 {
		t.Errorf("calls %d, want 4", p.calls.Load())
	}
}

func TestCacheFileIsJSON(t *testing.T) {
	dir := t.TempDir()
	c := NewCache(dir, 0, nil)
	c.Put("My Provider/1", "dns\x00\x00x.example", Result{Status: StatusFound, Found: true, RawResult: map[string]any{"a": 1.0}})
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	c2 := NewCache(dir, 0, nil)
	r, ok := c2.Get("My Provider/1", "dns\x00\x00x.example")
	if !ok || !r.Found {
		t.Fatalf("reload: %v %v", r, ok)
	}
	b, _ := json.Marshal(r.RawResult)
	if string(b) != `{"a":1}` {
		t.Errorf("raw %s", b)
	}
}
