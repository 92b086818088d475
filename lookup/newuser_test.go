package lookup

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/msticgo/msticgo/registry"
)

// notConfiguredErr is a factory error that knows its short reason, as
// httpprov.MissingSettingError does.
type notConfiguredErr struct{ setting string }

func (e *notConfiguredErr) Error() string {
	return "TestTI: not configured: missing required setting " + e.setting + " (Args: {...})"
}
func (e *notConfiguredErr) NotConfiguredReason() string {
	return "missing required setting " + e.setting
}

// TestBuildBadEntryIsNotConfigured: one bad entry (an unknown Provider
// type, an empty required secret, a failing factory, an instance that is
// not a provider) never stops the others: it becomes a not-configured
// provider with a clear reason, makes no call, and the good entry answers.
func TestBuildBadEntryIsNotConfigured(t *testing.T) {
	srv := newTIServer(t)
	reg := testRegistry(t)
	reg.MustRegister(registry.Registration{Kind: registry.KindTI, Name: "NeedsKey",
		Factory: func(_ context.Context, a registry.FactoryArgs) (any, error) {
			if strings.TrimSpace(a.Settings["AuthKey"]) == "" {
				return nil, &notConfiguredErr{setting: "AuthKey"}
			}
			return &testHTTPProvider{base: a.Settings["BaseURL"], client: srv.Client()}, nil
		}})
	cfg := parseConfig(t, `
TIProviders:
  Good:
    Args: {BaseURL: `+srv.URL+`}
    Primary: true
    Provider: TestTI
  EmptyKey:
    Args: {AuthKey: "", BaseURL: `+srv.URL+`}
    Primary: true
    Provider: NeedsKey
  Typo:
    Primary: true
    Provider: TestTl
  Nonsense:
    Primary: true
    Provider: NoSuchProviderType
  Broken:
    Primary: true
    Provider: TestTI
  Odd:
    Primary: true
    Provider: NotAProvider
`, nil)
	tests := []struct {
		name, reason string
	}{
		{"Good", ""},
		{"EmptyKey", "missing required setting AuthKey"},
		{"Typo", `unknown provider type "TestTl" (did you mean "TestTI"?)`},
		{"Nonsense", `unknown provider type "NoSuchProviderType" (msticgo providers list shows the known types)`},
		{"Broken", "BaseURL not set"},
		{"Odd", `ti provider "NotAProvider" does not implement lookups`},
	}
	specs, err := FromConfig(context.Background(), reg, registry.KindTI, cfg.TIProviders, nil, "", nil)
	if err != nil {
		t.Fatalf("one bad entry stopped the run: %v", err)
	}
	if len(specs) != len(tests) {
		t.Fatalf("specs %+v", specs)
	}
	specs[0].Provider.(*testHTTPProvider).client = srv.Client()
	for i, tt := range tests {
		s := specs[i]
		if s.Name != tt.name || !strings.HasPrefix(s.NotConfigured, tt.reason) || (tt.reason == "") != (s.Provider != nil) {
			t.Errorf("%s: NotConfigured %q, provider %v; want %q", tt.name, s.NotConfigured, s.Provider != nil, tt.reason)
		}
		if strings.Count(s.NotConfigured, "not configured") > 0 || strings.Contains(s.NotConfigured, s.Name+": ") {
			t.Errorf("%s: reason repeats the status or the name: %q", tt.name, s.NotConfigured)
		}
	}
	rows, sum, err := NewEngine(specs, Options{Prepare: IOCPreparer}).Rows(context.Background(), []Input{{Value: "evil.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].Result.Status != StatusFound {
		t.Errorf("the good entry did not answer: %+v", rows[0].Result)
	}
	for i, tt := range tests[1:] {
		r := rows[i+1].Result
		if r.Status != StatusNotConfigured || r.Message != "not configured: "+specs[i+1].NotConfigured {
			t.Errorf("%s row: %v %q", tt.name, r.Status, r.Message)
		}
	}
	if sum.ByStatus[StatusNotConfigured] != 5 || srv.total.Load() != 1 {
		t.Errorf("statuses %v, server calls %d (only Good may call)", sum.ByStatus, srv.total.Load())
	}
}

// scriptedProvider answers each call with the next result of its script
// (the last one repeats) and can run a hook first.
type scriptedProvider struct {
	mu     sync.Mutex
	calls  int
	script []Result
	hook   func(call int)
}

func (p *scriptedProvider) Lookup(_ context.Context, _ Item) Result {
	p.mu.Lock()
	p.calls++
	n := p.calls
	r := p.script[min(n, len(p.script))-1]
	p.mu.Unlock()
	if p.hook != nil {
		p.hook(n)
	}
	return r
}

// TestNotSentNeitherRetriedNorCounted: a failure where no request left the
// machine (DNS "no such host", connection refused) is not retried and does
// not spend the daily quota; a temporary DNS failure is retried, still
// without spending it; a failure that may have reached the provider (a
// dropped connection) is retried and every attempt counts.
func TestNotSentNeitherRetriedNorCounted(t *testing.T) {
	tests := []struct {
		name       string
		res        Result
		wantCalls  int
		wantQuota  int
		wantStatus Status
	}{
		{"no such host", Result{Status: StatusProviderError, Message: "cannot reach X: no such host", NotSent: true}, 1, 0, StatusProviderError},
		{"temporary DNS failure", Result{Status: StatusProviderError, Message: "cannot reach X: server misbehaving", NotSent: true, Retryable: true}, 3, 0, StatusProviderError},
		{"dropped connection", Result{Status: StatusProviderError, Message: "cannot reach X: EOF", Retryable: true}, 3, 3, StatusProviderError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			prov := &scriptedProvider{script: []Result{tt.res}}
			spec := ProviderSpec{Name: "X", Provider: prov, Limits: Limits{DailyQuota: 100, Retries: 2}}
			e := NewEngine([]ProviderSpec{spec}, Options{QuotaDir: dir, BackoffBase: time.Microsecond, BackoffMax: time.Microsecond})
			rows, _, err := e.Rows(context.Background(), []Input{{Value: "1.2.3.4", Type: "ipv4"}})
			if err != nil {
				t.Fatal(err)
			}
			if prov.calls != tt.wantCalls || rows[0].Result.Status != tt.wantStatus {
				t.Errorf("calls %d, status %v; want %d, %v", prov.calls, rows[0].Result.Status, tt.wantCalls, tt.wantStatus)
			}
			q := newQuota("X", 100, dir, time.Now)
			if q.count != tt.wantQuota {
				t.Errorf("quota count %d, want %d (only requests that may have been sent count)", q.count, tt.wantQuota)
			}
		})
	}
}

// TestInterruptKeepsTheRealError: when the run is interrupted, an item
// that already failed keeps that error ("...; interrupted during retry 1"),
// an item not yet tried says "interrupted before the call" and is not
// sent, and no row shows Go's "context canceled".
func TestInterruptKeepsTheRealError(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	prov := &scriptedProvider{
		script: []Result{{Status: StatusProviderError, Message: "cannot reach X: connection reset", Retryable: true}},
		hook: func(call int) {
			if call == 2 {
				cancel() // Ctrl-C during the first retry
			}
		},
	}
	dir := t.TempDir()
	spec := ProviderSpec{Name: "X", Provider: prov, Limits: Limits{Concurrency: 1, Retries: 3, DailyQuota: 100}}
	e := NewEngine([]ProviderSpec{spec}, Options{QuotaDir: dir, BackoffBase: time.Microsecond, BackoffMax: time.Microsecond})
	rows, sum, err := e.Rows(ctx, []Input{{Value: "1.2.3.4", Type: "ipv4"}, {Value: "5.6.7.8", Type: "ipv4"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"cannot reach X: connection reset; interrupted during retry 1", "interrupted before the call"}
	for i, r := range rows {
		if r.Result.Message != want[i] || r.Result.Status.OK() {
			t.Errorf("row %d: %v %q, want %q", i, r.Result.Status, r.Result.Message, want[i])
		}
		if strings.Contains(r.Result.Message, "context canceled") {
			t.Errorf("row %d shows Go wording: %q", i, r.Result.Message)
		}
	}
	if prov.calls != 2 || sum.Failed() != 2 {
		t.Errorf("calls %d, failed %d; want 2 calls and 2 failed rows", prov.calls, sum.Failed())
	}
	if q := newQuota("X", 100, dir, time.Now); q.count != 2 {
		t.Errorf("quota count %d, want 2 (the calls made)", q.count)
	}
}

// TestSlowRateNotice: the line a run logs at its first long wait on a
// rate limit names the provider, the limit and the time the calls left
// take; short waits say nothing.
func TestSlowRateNotice(t *testing.T) {
	tests := []struct {
		lim   Limits
		calls int
		want  string
	}{
		{Limits{PerMinute: 4}, 10, "VT: waiting for its rate limit of 4/min: the 10 calls left take about 2m30s"},
		{Limits{PerSecond: 1, Burst: 2}, 30, "VT: waiting for its rate limit of 1/s: the 30 calls left take about 30s"},
		{Limits{PerMinute: 4}, 1, "VT: waiting for its rate limit of 4/min: the last call takes about 15s"},
		{Limits{PerSecond: 4}, 20, ""},
		{Limits{}, 1000, ""},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		opts := Options{Logger: slog.New(slog.NewTextHandler(&buf, nil))}
		p := newProvRun(ProviderSpec{Name: "VT", Limits: tt.lim}, &opts)
		p.noticeSlowRate(tt.calls)
		got := buf.String()
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) || strings.Count(got, "\n") > 1 {
			t.Errorf("%+v, %d calls: logged %q, want %q", tt.lim, tt.calls, got, tt.want)
		}
	}
}

// cancelOnLog is a slog handler that keeps the messages and cancels the
// run when one contains a text: a test can stop a long wait as soon as it
// is announced, with no timing.
type cancelOnLog struct {
	mu     sync.Mutex
	msgs   []string
	on     string
	cancel context.CancelFunc
}

func (h *cancelOnLog) Enabled(context.Context, slog.Level) bool { return true }
func (h *cancelOnLog) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	h.msgs = append(h.msgs, r.Message)
	h.mu.Unlock()
	if strings.Contains(r.Message, h.on) {
		h.cancel()
	}
	return nil
}
func (h *cancelOnLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *cancelOnLog) WithGroup(string) slog.Handler      { return h }

// TestRateLimitWaitsOnlyForCallsThatLeft: calls that never left the machine
// give their rate-limit turn back, so a run with no network ends at once
// instead of waiting minutes; a run whose calls reach the provider waits,
// and says so once at its first wait.
func TestRateLimitWaitsOnlyForCallsThatLeft(t *testing.T) {
	tests := []struct {
		name       string
		res        Result
		wantCalls  int
		wantNotice int
	}{
		{"no connection", Result{Status: StatusProviderError, Message: "cannot reach X: no such host", NotSent: true}, 5, 0},
		{"answers", Result{Status: StatusNotFound}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			h := &cancelOnLog{on: "waiting for its rate limit", cancel: cancel}
			prov := &scriptedProvider{script: []Result{tt.res}}
			spec := ProviderSpec{Name: "X", Provider: prov, Limits: Limits{PerMinute: 4, Burst: 1, Concurrency: 1}}
			e := NewEngine([]ProviderSpec{spec}, Options{Logger: slog.New(h)})
			in := []Input{{Value: "1.1.1.1", Type: "ipv4"}, {Value: "1.1.1.2", Type: "ipv4"}, {Value: "1.1.1.3", Type: "ipv4"},
				{Value: "1.1.1.4", Type: "ipv4"}, {Value: "1.1.1.5", Type: "ipv4"}}
			if _, _, err := e.Rows(ctx, in); err != nil {
				t.Fatal(err)
			}
			notices := 0
			for _, m := range h.msgs {
				if strings.Contains(m, "waiting for its rate limit") {
					notices++
					if !strings.Contains(m, "X: waiting for its rate limit of 4/min: the 4 calls left take about 1m0s") {
						t.Errorf("notice %q", m)
					}
				}
			}
			if prov.calls != tt.wantCalls || notices != tt.wantNotice {
				t.Errorf("calls %d, notices %d; want %d, %d", prov.calls, notices, tt.wantCalls, tt.wantNotice)
			}
		})
	}
}

// TestUnknownNameThatIsAProviderType: --providers takes config entry names
// (as MSTICPy's providers= does); a name that is a registered provider type
// with no entry of that name says so, and how to fix it.
func TestUnknownNameThatIsAProviderType(t *testing.T) {
	cfg := parseConfig(t, `
TIProviders:
  Main:
    Args: {BaseURL: http://127.0.0.1:1}
    Primary: true
    Provider: TestTI
`, nil)
	tests := []struct {
		name, want string
	}{
		{"NotAProvider", `no TIProviders entry named "NotAProvider" (the provider type exists: add an entry with Provider: NotAProvider to msticpyconfig.yaml); loaded: Main`},
		{"tti", `no TIProviders entry named "tti": --providers takes entry names, and entry "Main" has Provider: TestTI; loaded: Main`},
		{"Mian", `unknown provider "Mian" (did you mean "Main"?); loaded: Main`},
	}
	for _, tt := range tests {
		_, err := FromConfig(context.Background(), testRegistry(t), registry.KindTI, cfg.TIProviders, []string{tt.name}, "", nil)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: %v\nwant %s", tt.name, err, tt.want)
		}
	}
}

// TestUnknownTypeSaysWhy: a name that looks like a domain but has no
// public suffix says so after MSTICPy's "Type unknown not supported.";
// other untyped input keeps MSTICPy's text alone.
func TestUnknownTypeSaysWhy(t *testing.T) {
	tests := []struct{ in, want string }{
		{"cdn.evil.example", "Type unknown not supported. Not a domain with a public suffix (.example is none)."},
		{"host.corp.internal", "Type unknown not supported. Not a domain with a public suffix (.internal is none)."},
		{"hello", "Type unknown not supported."},
		{"1.2", "Type unknown not supported."},
		{"some text here", "Type unknown not supported."},
	}
	e := NewEngine([]ProviderSpec{{Name: "P", Provider: &scriptedProvider{script: []Result{{Status: StatusNotFound}}}}}, Options{Prepare: IOCPreparer})
	for _, tt := range tests {
		rows, _, err := e.Rows(context.Background(), []Input{{Value: tt.in}})
		if err != nil {
			t.Fatal(err)
		}
		if r := rows[0].Result; r.Status != StatusUnsupported || r.Message != tt.want {
			t.Errorf("%q: %v %q, want %q", tt.in, r.Status, r.Message, tt.want)
		}
	}
}

// TestRateLimitTurnGivenBackWhileOthersRun: with several calls in flight,
// a turn given back by a call that never left the machine is usable at
// once, even while an earlier call still runs (the first call here waits
// for the fifth to start).
func TestRateLimitTurnGivenBackWhileOthersRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := &cancelOnLog{on: "waiting for its rate limit", cancel: cancel}
	fifth := make(chan struct{})
	prov := &scriptedProvider{
		script: []Result{{Status: StatusProviderError, Message: "cannot reach X: connection refused", NotSent: true}},
		hook: func(n int) {
			switch n {
			case 1:
				select {
				case <-fifth:
				case <-ctx.Done():
				}
			case 5:
				close(fifth)
			}
		},
	}
	spec := ProviderSpec{Name: "X", Provider: prov, Limits: Limits{PerMinute: 4, Burst: 4, Concurrency: 4}}
	e := NewEngine([]ProviderSpec{spec}, Options{Logger: slog.New(h)})
	var in []Input
	for i := range 10 {
		in = append(in, Input{Value: fmt.Sprintf("198.51.100.%d", i+1), Type: "ipv4"})
	}
	if _, _, err := e.Rows(ctx, in); err != nil {
		t.Fatal(err)
	}
	if prov.calls != 10 || len(h.msgs) != 0 {
		t.Errorf("calls %d (want 10), log %q", prov.calls, h.msgs)
	}
}
