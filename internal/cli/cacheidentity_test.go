package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFeedsAnswersNeverCached is A1 of the second user review, cases 2
// and 3: with one cache folder, a Feeds answer from one config is not
// served under a config with other feeds, and a line added to a feed file
// is seen by the next run (a cached "not found" used to win for 24 h).
func TestFeedsAnswersNeverCached(t *testing.T) {
	cache := t.TempDir()
	env := map[string]string{"MSTICGO_CACHE_DIR": cache}
	dir := t.TempDir()
	feed := filepath.Join(dir, "vendor.csv")
	writeFileT(t, feed, "value,type,severity,description\n45.9.9.1,ipv4,high,OldCamp\n")
	cfg := writeConfig(t, "TIProviders:\n  Feeds:\n    Primary: true\n    Args:\n      Files: "+feed+"\n")
	look := func(cfg, ioc string) map[string]any {
		t.Helper()
		r := run(t, env, "--config", cfg, "-o", "ndjson", "ti", "lookup", ioc)
		rows := ndjsonRows(t, r.stdout)
		if len(rows) != 1 {
			t.Fatalf("rows %v; stderr %s", rows, r.stderr)
		}
		return rows[0]
	}
	if row := look(cfg, "45.9.9.9"); row["StatusName"] != "not found" {
		t.Fatalf("before: %v", row)
	}
	f, err := os.OpenFile(feed, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("45.9.9.9,ipv4,high,NewCamp\n")
	f.Close()
	if row := look(cfg, "45.9.9.9"); row["StatusName"] != "found" || !strings.Contains(row["Details"].(string), "NewCamp") {
		t.Errorf("new feed line not seen: %v", row)
	}
	// the built-in demo feed (no config) knows 91.234.254.144; a config
	// whose Feeds entry has only vendor.csv does not
	if r := run(t, env, "-o", "ndjson", "ti", "lookup", "--providers", "Feeds", "91.234.254.144"); !strings.Contains(r.stdout, `"StatusName":"found"`) {
		t.Fatalf("demo feed: %s %s", r.stdout, r.stderr)
	}
	if row := look(cfg, "91.234.254.144"); row["StatusName"] != "not found" {
		t.Errorf("demo feed answer served under another config: %v", row)
	}
	if entries, _ := os.ReadDir(cache); len(entries) != 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("Feeds answers written to the cache folder: %v", names)
	}
}
