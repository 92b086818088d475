package lookup

import (
	"context"
	"sort"
	"strings"
	"sync"
	"testing"
)

// hostRecorder supports ipv4 and hostname (as ServiceNow does, no dns) and
// records what it is asked.
type hostRecorder struct {
	mu    sync.Mutex
	asked []string
}

func (p *hostRecorder) Lookup(_ context.Context, it Item) Result {
	p.mu.Lock()
	p.asked = append(p.asked, it.Type+":"+it.Value)
	p.mu.Unlock()
	return Result{Status: StatusFound, Found: true, Details: "record"}
}

func (p *hostRecorder) SupportedTypes() []string { return []string{"ipv4", "hostname"} }

// TestContextHostNames: in context mode an FQDN (typed dns) goes to a
// provider that takes hostname but not dns as a hostname; a single-label
// name, or one under a private suffix, is a hostname, inferred or given
// with --type hostname. TI mode keeps its rules: unsupported or invalid.
func TestContextHostNames(t *testing.T) {
	in := []Input{
		{Value: "10.0.0.5"},
		{Value: "host01.corp.example.com"},
		{Value: "HOST01"},
		{Value: "dc01.corp.local"},
		{Value: "host01", Type: "hostname"},
		{Value: "srv_02", Type: "host"},
		{Value: "1234"},
	}
	run := func(mode Mode) ([]Row, []string) {
		p := &hostRecorder{}
		eng := NewEngine([]ProviderSpec{{Name: "CMDB", Provider: p}}, Options{Mode: mode, Prepare: IOCPreparer})
		defer eng.Close()
		rows, _, err := eng.Rows(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		sort.Strings(p.asked)
		return rows, p.asked
	}
	rows, asked := run(ModeContext)
	want := []string{"hostname:dc01.corp.local", "hostname:host01", "hostname:host01.corp.example.com", "hostname:srv_02", "ipv4:10.0.0.5"}
	if strings.Join(asked, " ") != strings.Join(want, " ") {
		t.Errorf("context mode asked %v, want %v", asked, want)
	}
	for i, r := range rows {
		wantStatus := StatusFound
		if in[i].Value == "1234" {
			wantStatus = StatusUnsupported
		}
		if r.Result.Status != wantStatus {
			t.Errorf("context %s: %s %q", in[i].Value, r.Result.Status, r.Result.Message)
		}
	}
	if rows[2].Item.Type != "hostname" || rows[1].Item.Type != "dns" {
		t.Errorf("row types %q %q", rows[2].Item.Type, rows[1].Item.Type)
	}

	rows, asked = run(ModeTI)
	if len(asked) != 0 {
		t.Errorf("TI mode asked %v (10.0.0.5 is private, the names are no hostname by TI rules)", asked)
	}
	for i, want := range []Status{StatusNotRoutable, StatusUnsupported, StatusUnsupported, StatusUnsupported, StatusInvalid, StatusInvalid, StatusUnsupported} {
		if rows[i].Result.Status != want {
			t.Errorf("TI %s: %s, want %s", in[i].Value, rows[i].Result.Status, want)
		}
	}
}
