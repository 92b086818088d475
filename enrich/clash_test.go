package enrich

import (
	"context"
	"strings"
	"testing"

	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/table"
)

// TestAddedColumnsNeverReplaceInput: an input that already has TISeverity,
// TIMatched or TIDetail keeps those columns and values; the added columns
// all take the first free ".N" suffix.
func TestAddedColumnsNeverReplaceInput(t *testing.T) {
	tests := []struct {
		name  string
		input []string
		added string
	}{
		{"no clash", []string{"ip"}, "TISeverity,TIMatched,TIDetail"},
		{"severity and detail", []string{"ip", "TISeverity", "TIDetail"}, "TISeverity.1,TIMatched.1,TIDetail.1"},
		{"matched only", []string{"TIMatched", "ip"}, "TISeverity.1,TIMatched.1,TIDetail.1"},
		{"enriched twice", []string{"ip", "TISeverity", "TIMatched", "TIDetail", "TIDetail.1"}, "TISeverity.2,TIMatched.2,TIDetail.2"},
		{"other case is another name", []string{"ip", "tiseverity"}, "TISeverity,TIMatched,TIDetail"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &listProvider{hits: map[string]lookup.Severity{"91.234.254.144": lookup.SevHigh}}
			f := table.NewStrings(tt.input...)
			row := make([]any, len(tt.input))
			for i, n := range tt.input {
				row[i] = "keep:" + n
				if n == "ip" {
					row[i] = "91.234.254.144"
				}
			}
			f.Append(row...)
			res, err := Frame(context.Background(), newEngine(t, p), f, Options{Columns: []string{"ip"}})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(res.Added, ","); got != tt.added {
				t.Errorf("Added %s, want %s", got, tt.added)
			}
			names := res.Frame.Names()
			if got := strings.Join(names[len(tt.input):], ","); got != tt.added {
				t.Errorf("frame adds %s, want %s", got, tt.added)
			}
			for i, n := range tt.input {
				if names[i] != n || res.Frame.Rows[0][i] != row[i] {
					t.Errorf("column %d: %s=%v, want %s=%v", i, names[i], res.Frame.Rows[0][i], n, row[i])
				}
			}
			if sev := res.Frame.Rows[0][len(tt.input)]; sev != "high" {
				t.Errorf("severity %v", sev)
			}
		})
	}
}

// TestColumnsSharingAName: every column whose values are indicators is
// enriched, also when two columns share a name (a frame built by hand).
func TestColumnsSharingAName(t *testing.T) {
	p := &listProvider{hits: map[string]lookup.Severity{"evil.example.com": lookup.SevHigh}}
	f := table.NewStrings("ip", "ip")
	f.Append("1.2.3.4", "evil.example.com")
	res, err := Frame(context.Background(), newEngine(t, p), f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Columns) != 2 || p.seen["evil.example.com"] != 1 || p.seen["1.2.3.4"] != 1 {
		t.Errorf("columns %q, lookups %v", res.Columns, p.seen)
	}
	if sev := res.Frame.Rows[0][2]; sev != "high" {
		t.Errorf("severity %v", sev)
	}
}
