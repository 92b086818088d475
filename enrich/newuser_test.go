package enrich

import (
	"context"
	"testing"

	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/table"
)

// TestDetailNotConfiguredAndPrivate: with a provider that is not
// configured, a private address says "not routable: private" (routability
// comes before configuration), a public one says "Provider: not
// configured" once, without the reason repeated in every row or the
// status twice; other failures do not repeat their status either.
func TestDetailNotConfiguredAndPrivate(t *testing.T) {
	eng := lookup.NewEngine([]lookup.ProviderSpec{
		{Name: "VirusTotal", NotConfigured: "SOME_UNSET_VAR not set"},
		{Name: "Stub", Provider: stubProvider{}},
	}, lookup.Options{Prepare: lookup.IOCPreparer})
	f := table.NewStrings("SourceIP", "DestinationIP")
	f.Append("10.20.1.11", "10.20.0.5")
	f.Append("10.20.1.11", "8.8.8.8")
	res, err := Frame(context.Background(), eng, f, Options{Columns: []string{"auto"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		row  int
		want string
	}{
		{0, "10.20.1.11: not routable: private; 10.20.0.5: not routable: private"},
		{1, "10.20.1.11: not routable: private; 8.8.8.8 VirusTotal: not configured; 8.8.8.8 Stub: provider error: HTTP 500"},
	}
	for _, tt := range tests {
		if got := res.Frame.Rows[tt.row][len(f.Columns)+2]; got != tt.want {
			t.Errorf("row %d TIDetail %q, want %q", tt.row, got, tt.want)
		}
	}
}

// stubProvider answers every call with a provider error whose message
// repeats the status name, as some providers do.
type stubProvider struct{}

func (stubProvider) Lookup(context.Context, lookup.Item) lookup.Result {
	return lookup.Result{Status: lookup.StatusProviderError, Message: "provider error: HTTP 500"}
}
