package lookup

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestFaultStallingProviderTimesOutPerItem(t *testing.T) {
	srv := newTIServer(t)
	srv.stall["stall1.example"] = true
	srv.stall["stall2.example"] = true
	p := srv.provider("dns")
	e := NewEngine([]ProviderSpec{{Name: "Slow", Provider: p, Limits: Limits{Timeout: 200 * time.Millisecond, Concurrency: 2}}},
		Options{Prepare: simplePrepare})
	rows, _, _ := e.Rows(context.Background(), inputs("evil.example", "stall1.example", "fine.example", "stall2.example"))
	want := []Status{StatusFound, StatusTimeout, StatusNotFound, StatusTimeout}
	for i, w := range want {
		if rows[i].Result.Status != w {
			t.Errorf("row %d: %v (%s), want %v", i, rows[i].Result.Status, rows[i].Result.Message, w)
		}
	}
	if m := rows[1].Result.Message; m != "no answer within 200ms" {
		t.Errorf("timeout message %q", m)
	}
}

func TestFault429RetryAfterThenRateLimited(t *testing.T) {
	srv := newTIServer(t)
	srv.throttle["busy.example"] = "1"
	p := srv.provider("dns")
	var mu sync.Mutex
	var order []string
	var retryWaits []time.Duration
	othersDone := make(chan struct{})
	var closeOnce sync.Once
	// The engine's waits are recorded, not waited. The first retry wait
	// holds busy.example until the other two rows are out, as a real
	// one-second wait would.
	wait := func(ctx context.Context, d time.Duration, why string) bool {
		if why == "retry" {
			mu.Lock()
			retryWaits = append(retryWaits, d)
			first := len(retryWaits) == 1
			mu.Unlock()
			if first {
				select {
				case <-othersDone:
				case <-ctx.Done():
					return false
				}
			}
		}
		return ctx.Err() == nil
	}
	e := NewEngine([]ProviderSpec{{Name: "Throttled", Provider: p, Limits: Limits{Retries: 2, Concurrency: 2}}},
		Options{Prepare: simplePrepare, BackoffBase: 10 * time.Millisecond, wait: wait})
	sum := e.Stream(context.Background(), inputs("busy.example", "evil.example", "fine.example"), func(r Row) {
		mu.Lock()
		order = append(order, fmt.Sprintf("%s=%v", r.Item.Value, r.Result.Status))
		if len(order) == 2 && r.Item.Value != "busy.example" {
			closeOnce.Do(func() { close(othersDone) })
		}
		mu.Unlock()
	})
	if got := srv.count("busy.example"); got != 3 {
		t.Errorf("busy.example asked %d times, want 3 (1 + 2 retries)", got)
	}
	// Retry-After: 1 is waited before each retry (the jittered backoff of
	// 10 ms, 20 ms is shorter).
	if want := []time.Duration{time.Second, time.Second}; fmt.Sprint(retryWaits) != fmt.Sprint(want) {
		t.Errorf("retry waits %v, want %v", retryWaits, want)
	}
	if sum.ByStatus[StatusRateLimited] != 1 || sum.ByStatus[StatusFound] != 1 || sum.ByStatus[StatusNotFound] != 1 {
		t.Errorf("statuses %v", sum.ByStatus)
	}
	// The others completed, and the rate-limited row came last.
	if len(order) != 3 || order[2] != "busy.example=rate limited" {
		t.Errorf("completion order %v", order)
	}
}

func TestFaultRetryAfterOverCapNotWaited(t *testing.T) {
	srv := newTIServer(t)
	srv.throttle["busy.example"] = time.Now().Add(2 * time.Hour).UTC().Format(http.TimeFormat)
	var waits []time.Duration
	wait := func(ctx context.Context, d time.Duration, why string) bool {
		waits = append(waits, d) // one item, one goroutine
		return ctx.Err() == nil
	}
	e := NewEngine([]ProviderSpec{{Name: "T", Provider: srv.provider("dns")}}, Options{Prepare: simplePrepare, wait: wait})
	rows, _, _ := e.Rows(context.Background(), inputs("busy.example"))
	if rows[0].Result.Status != StatusRateLimited || srv.count("busy.example") != 1 || len(waits) != 0 {
		t.Errorf("row %+v after %d calls, waits %v", rows[0].Result, srv.count("busy.example"), waits)
	}
}

func TestFault5xxRetriedWithBackoff(t *testing.T) {
	srv := newTIServer(t)
	srv.fail5xx["evil.example"] = 2
	srv.fail5xx["down.example"] = 100
	e := NewEngine([]ProviderSpec{{Name: "Flaky", Provider: srv.provider("dns"), Limits: Limits{Retries: 3}}},
		Options{Prepare: simplePrepare, BackoffBase: 5 * time.Millisecond})
	rows, _, _ := e.Rows(context.Background(), inputs("evil.example", "down.example", "html.example"))
	if rows[0].Result.Status != StatusFound || srv.count("evil.example") != 3 {
		t.Errorf("flaky item: %v after %d calls", rows[0].Result, srv.count("evil.example"))
	}
	if rows[1].Result.Status != StatusProviderError || srv.count("down.example") != 4 {
		t.Errorf("down item: %v after %d calls", rows[1].Result, srv.count("down.example"))
	}
	if rows[2].Result.Status != StatusUnexpected || srv.count("html.example") != 1 {
		t.Errorf("html item: %v after %d calls", rows[2].Result, srv.count("html.example"))
	}
}

// rateScenario sends n indicators to an httptest server with the given
// latency through a provider limited to limit requests/s, and returns the
// run time and the request arrival times seen by the server, sorted.
func rateScenario(tb testing.TB, n, limit int, latency time.Duration) (time.Duration, []time.Time) {
	tb.Helper()
	var mu sync.Mutex
	arrivals := make([]time.Time, 0, n)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
		time.Sleep(latency)
		http.Error(w, "{}", http.StatusNotFound)
	}))
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	p := &testHTTPProvider{base: srv.URL, client: &http.Client{Transport: tr}, types: []string{"dns"},
		limits: Limits{PerSecond: float64(limit), Concurrency: 32}}
	e := NewEngine([]ProviderSpec{{Name: "Limited", Provider: p}}, Options{Prepare: simplePrepare})
	defer e.Close()
	in := make([]Input, n)
	for i := range in {
		in[i] = Input{Value: fmt.Sprintf("host%d.example", i)}
	}
	start := time.Now()
	rows, sum, _ := e.Rows(context.Background(), in)
	el := time.Since(start)
	if sum.ByStatus[StatusNotFound] != n || len(rows) != n {
		tb.Fatalf("statuses %v", sum.ByStatus)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(arrivals) != n {
		tb.Fatalf("server saw %d requests, want %d", len(arrivals), n)
	}
	sort.Slice(arrivals, func(i, j int) bool { return arrivals[i].Before(arrivals[j]) })
	return el, arrivals
}

// busiestWindow is the largest number of arrivals in any one-second window
// of the server's clock (sliding: every window that starts at an arrival),
// with the count per fixed window from the first arrival for reference.
// arrivals are sorted.
func busiestWindow(arrivals []time.Time) (int, map[int]int) {
	perWindow := map[int]int{}
	busiest, lo := 0, 0
	for hi, at := range arrivals {
		perWindow[int(at.Sub(arrivals[0])/time.Second)]++
		for at.Sub(arrivals[lo]) >= time.Second {
			lo++
		}
		busiest = max(busiest, hi-lo+1)
	}
	return busiest, perWindow
}

// gauge is a provider that records how many of its lookups run at once.
type gauge struct {
	limits   Limits
	cur, max atomic.Int32
}

func (g *gauge) Limits() Limits { return g.limits }

func (g *gauge) Lookup(ctx context.Context, it Item) Result {
	n := g.cur.Add(1)
	defer g.cur.Add(-1)
	for {
		m := g.max.Load()
		if n <= m || g.max.CompareAndSwap(m, n) {
			break
		}
	}
	select {
	case <-time.After(15 * time.Millisecond):
	case <-ctx.Done():
	}
	return Result{Status: StatusNotFound}
}

// TestConcurrencyLimit: a provider never has more calls in flight than its
// concurrency limit, whether it declares the limit itself or a config
// override (ProviderSpec.Limits) sets it, and the limit is reached.
func TestConcurrencyLimit(t *testing.T) {
	for _, c := range []struct {
		name      string
		own, spec int
		want      int32
	}{
		{"declared", 3, 0, 3},
		{"override lower", 10, 2, 2},
		{"override higher", 2, 5, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := &gauge{limits: Limits{Concurrency: c.own}}
			e := NewEngine([]ProviderSpec{{Name: "G", Provider: g, Limits: Limits{Concurrency: c.spec}}}, Options{Prepare: simplePrepare})
			defer e.Close()
			in := make([]Input, 40)
			for i := range in {
				in[i] = Input{Value: fmt.Sprintf("h%d.example", i)}
			}
			rows, sum, _ := e.Rows(context.Background(), in)
			if len(rows) != len(in) || sum.ByStatus[StatusNotFound] != len(in) {
				t.Fatalf("statuses %v", sum.ByStatus)
			}
			if got := g.max.Load(); got != c.want {
				t.Errorf("at most %d calls in flight, want exactly %d", got, c.want)
			}
		})
	}
}
