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
		// failures, then values not sent, then providers not configured
		{1, "8.8.8.8 Stub: provider error: HTTP 500; 10.20.1.11: not routable: private; 8.8.8.8 VirusTotal: not configured"},
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

// TestDetailMatchesFirst: in TIDetail the matches come first, the highest
// severity first, whatever the column order; then remarks, failures,
// values not sent and providers not configured (new-user review 4: the
// hit was cut off behind "not configured" and "not routable" notes).
func TestDetailMatchesFirst(t *testing.T) {
	eng := lookup.NewEngine([]lookup.ProviderSpec{
		{Name: "VirusTotal", NotConfigured: "SOME_UNSET_VAR not set"},
		{Name: "Sev", Provider: sevProvider{}},
	}, lookup.Options{Prepare: lookup.IOCPreparer})
	f := table.NewStrings("SourceIP", "Low", "High")
	f.Append("10.20.1.11", "1.1.1.1", "2.2.2.2")
	res, err := Frame(context.Background(), eng, f, Options{Columns: []string{"auto"}})
	if err != nil {
		t.Fatal(err)
	}
	want := "2.2.2.2 Sev: bad; 1.1.1.1 Sev: meh; 10.20.1.11: not routable: private; 1.1.1.1 VirusTotal: not configured; 2.2.2.2 VirusTotal: not configured"
	if got := res.Frame.Rows[0][len(f.Columns)+2]; got != want {
		t.Errorf("TIDetail %q\nwant     %q", got, want)
	}
}

// sevProvider finds 2.2.2.2 (high) and 1.1.1.1 (information).
type sevProvider struct{}

func (sevProvider) Lookup(_ context.Context, it lookup.Item) lookup.Result {
	if it.Ioc == "2.2.2.2" {
		return lookup.Result{Status: lookup.StatusFound, Found: true, Severity: lookup.SevHigh, Details: "bad"}
	}
	return lookup.Result{Status: lookup.StatusFound, Found: true, Severity: lookup.SevInformation, Details: "meh"}
}
