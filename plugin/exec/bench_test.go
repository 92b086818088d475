package exec

import (
	"context"
	"testing"

	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/registry"
)

// BenchmarkRoundTripOneItem measures one lookup of one item through a
// running Go plugin process (started before the timer).
func BenchmarkRoundTripOneItem(b *testing.B) {
	dir := writePlugin(b, goManifest(b, "ti", "BenchGo", "good", ""))
	p := newInstance(b, dir, registry.FactoryArgs{}).(*Provider)
	it := items(1)[0]
	ctx := context.Background()
	if r := p.Lookup(ctx, it); !r.Status.OK() {
		b.Fatal(r.Message)
	}
	b.ResetTimer()
	for b.Loop() {
		if r := p.Lookup(ctx, it); !r.Status.OK() {
			b.Fatal(r.Message)
		}
	}
}

// BenchmarkBatchedItems measures items/s with batches of 100 items.
func BenchmarkBatchedItems(b *testing.B) {
	dir := writePlugin(b, goManifest(b, "ti", "BenchGo", "good", "", "max_batch: 100"))
	p := newInstance(b, dir, registry.FactoryArgs{}).(*Provider)
	batch := items(1000)
	ctx := context.Background()
	p.LookupBatch(ctx, batch[:1])
	b.ResetTimer()
	n := 0
	for b.Loop() {
		for _, r := range p.LookupBatch(ctx, batch) {
			if !r.Status.OK() {
				b.Fatal(r.Message)
			}
		}
		n += len(batch)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "items/s")
}

var _ = lookup.StatusFound
