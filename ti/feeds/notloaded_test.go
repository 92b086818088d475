package feeds

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/msticgo/msticgo/config"
	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/registry"
)

// TestNoSourceLoadedIsNotConfigured: an entry none of whose feed files
// loads (a typo in the path) is not an empty feed that answers "Not found."
// for every value: New fails, so the engine lists the entry as not
// configured, the reason naming each path and saying "no such file".
func TestNoSourceLoadedIsNotConfigured(t *testing.T) {
	dir := t.TempDir()
	for _, args := range []map[string]string{
		{"Files": "nothere.txt"},
		{"Files": "nothere.txt;alsomissing.csv"},
		{"Warninglists": "nothere.txt"},
		{"Files": "nothere.txt", "Warninglists": "wl.json"}, // a warninglist alone is no feed
	} {
		write(t, dir, "wl.json", `{"name":"DNS","type":"cidr","list":["8.8.8.8/32"],"description":"d","version":1}`)
		s, err := ParseSettings(args, dir)
		if err != nil {
			t.Fatal(err)
		}
		_, err = New(context.Background(), "MyFeeds", s, nil)
		if err == nil {
			t.Errorf("%v: New succeeded with no feed source loaded", args)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "no feed source loaded") || !strings.Contains(msg, filepath.Join(dir, "nothere.txt")+": no such file") ||
			strings.Contains(msg, "stat") {
			t.Errorf("%v: error %q", args, msg)
		}
	}

	// Through the registry and the engine: every row is not configured,
	// with the reason, and no row says "Not found.".
	cfgText := "TIProviders:\n  MyFeeds:\n    Provider: Feeds\n    Primary: true\n    Args:\n      Files: nothere.txt\n"
	cfg, err := config.Parse([]byte(cfgText), filepath.Join(dir, "msticpyconfig.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	specs, err := lookup.FromConfig(context.Background(), registry.Default, registry.KindTI, cfg.TIProviders, nil, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 1 || !strings.Contains(specs[0].NotConfigured, "no feed source loaded") || !strings.Contains(specs[0].NotConfigured, "nothere.txt: no such file") {
		t.Fatalf("specs %+v", specs)
	}
	eng := lookup.NewEngine(specs, lookup.Options{Prepare: lookup.IOCPreparer})
	defer eng.Close()
	frame, sum, err := eng.Lookup(context.Background(), []lookup.Input{{Value: "91.234.254.144"}})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed() != 1 || !strings.Contains(fmt.Sprint(frame.Rows), "not configured: no feed source loaded") {
		t.Errorf("rows %v, failed %d", frame.Rows, sum.Failed())
	}
}

// TestSomeSourcesNotLoaded: with one feed file missing and one loaded, the
// entry works; the missing file is said once, in one log line naming it,
// and a "not found" answer notes that a feed source did not load (a hit
// is a hit whatever else failed).
func TestSomeSourcesNotLoaded(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "good.txt", "1.2.3.4\n")
	logs := &logCounter{}
	s, err := ParseSettings(map[string]string{"Files": "good.txt;nothere.txt;gone/", "Reload": "off"}, dir)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(context.Background(), "Feeds", s, slog.New(logs))
	if err != nil {
		t.Fatal(err)
	}
	got := logs.matching("not loaded")
	if len(got) != 1 || !strings.Contains(got[0], "2 of 3 feed sources not loaded") ||
		!strings.Contains(got[0], filepath.Join(dir, "nothere.txt")+": no such file") || !strings.Contains(got[0], filepath.Join(dir, "gone")) {
		t.Errorf("want one log line naming both missing paths, got %q", got)
	}
	if r := look(p, "ipv4", "1.2.3.4"); !r.Found || strings.Contains(fmt.Sprint(r.Details), "did not load") {
		t.Errorf("hit: %+v", r)
	}
	r := look(p, "ipv4", "5.6.7.8")
	if r.Status != lookup.StatusNotFound || !strings.Contains(fmt.Sprint(r.Details), "Not found. 2 of 3 feed sources did not load ("+filepath.Join(dir, "nothere.txt")+" and 1 more)") {
		t.Errorf("miss: %+v", r)
	}
	for _, st := range p.SourceStats() {
		if st.Error != "" && (!strings.Contains(st.Error, "no such file or folder") || !strings.HasPrefix(st.Error, st.Source+": ")) {
			t.Errorf("source %s: error %q", st.Source, st.Error)
		}
	}
	// All loaded: the plain answer.
	p2 := newProv(t, map[string]string{"Files": "good.txt"}, dir)
	if r := look(p2, "ipv4", "5.6.7.8"); r.Details != "Not found." {
		t.Errorf("miss with every source loaded: %+v", r)
	}
}
