package lookup

import (
	"context"
	"fmt"
	"testing"
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
