package lookup

import (
	"context"
	"fmt"
	"testing"
	"time"
)

type instant struct{}

func (instant) Lookup(context.Context, Item) Result { return Result{Status: StatusNotFound} }

// BenchmarkEngineOverhead measures the engine's cost per lookup with a
// provider that answers instantly (distinct values, no cache): preparation,
// grouping, scheduling, timeout, retry bookkeeping and row emission.
func BenchmarkEngineOverhead(b *testing.B) {
	const batch = 1000
	in := make([]Input, batch)
	for i := range in {
		in[i] = Input{Value: fmt.Sprintf("host%d.example.com", i), Type: "dns"}
	}
	e := NewEngine([]ProviderSpec{{Name: "Instant", Provider: instant{}}}, Options{})
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		e.Stream(ctx, in, func(Row) {})
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch)/1000, "µs/lookup")
}

// BenchmarkEngineCached measures a lookup answered from the memory cache.
func BenchmarkEngineCached(b *testing.B) {
	const batch = 1000
	in := make([]Input, batch)
	for i := range in {
		in[i] = Input{Value: fmt.Sprintf("host%d.example.com", i), Type: "dns"}
	}
	e := NewEngine([]ProviderSpec{{Name: "Instant", Provider: instant{}}}, Options{Cache: NewCache("", 0, nil)})
	ctx := context.Background()
	e.Stream(ctx, in, func(Row) {})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		e.Stream(ctx, in, func(Row) {})
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch)/1000, "µs/lookup")
}

// BenchmarkRateLimited2000 is the 2,000-indicator scenario: a provider with
// 50 ms latency and a limit of 200 requests/s, counted at the test server.
// The target is a total close to 10 s (2,000 / 200). One iteration takes
// that long: run it with -benchtime=1x. It reports the run time (s/run),
// the achieved rate and the busiest sliding one-second window seen by the
// server (never above 200). It is a measurement on the real clock, not a test:
// TestRateLimitNeverExceeded checks the limiter itself with a fake clock.
func BenchmarkRateLimited2000(b *testing.B) {
	const n, limit = 2000, 200
	var total time.Duration
	busiest := 0
	for b.Loop() {
		el, arrivals := rateScenario(b, n, limit, 50*time.Millisecond)
		total += el
		w, _ := busiestWindow(arrivals)
		busiest = max(busiest, w)
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/run")
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "req/s")
	b.ReportMetric(float64(busiest), "max-req/window")
}
