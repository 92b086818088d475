package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFeedsNoSourceLoaded: a Feeds entry whose only file is missing (a
// typo) is not configured: each row says why and the run exits 3 (not
// "Not found." and 0); config validate warns about the path, with the
// line of the Files setting; with one file there and one missing, the
// lookup works, stderr names the missing file once, and the not-found row
// notes it.
func TestFeedsNoSourceLoaded(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "good.txt"), []byte("45.9.9.9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "msticpyconfig.yaml")
	if err := os.WriteFile(cfg, []byte("TIProviders:\n  Feeds:\n    Primary: True\n    Args:\n      Files: nothere.txt\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "nothere.txt")
	out, stderr, code := runTI(t, "", "--config", cfg, "-o", "json", "ti", "lookup", "--no-cache", "91.234.254.144")
	rows := jsonRows(t, out)
	if code != ExitPartial || len(rows) != 1 || rows[0]["StatusName"] != "not configured" ||
		!strings.Contains(fmt.Sprint(rows[0]["Details"]), "no feed source loaded: "+missing+": no such file or folder") {
		t.Errorf("exit %d, rows %v\n%s", code, rows, stderr)
	}

	out, stderr, code = runTI(t, "", "--config", cfg, "-o", "json", "config", "validate")
	probs := jsonRows(t, out)
	if code != 0 || len(probs) != 1 || probs[0]["severity"] != "warning" || probs[0]["line"] != float64(5) ||
		probs[0]["path"] != "TIProviders.Feeds.Args.Files" ||
		!strings.Contains(fmt.Sprint(probs[0]["message"]), missing+": no such file or folder; no source of this entry loads") {
		t.Errorf("validate: exit %d %v\n%s", code, probs, stderr)
	}

	if err := os.WriteFile(cfg, []byte("TIProviders:\n  Feeds:\n    Primary: True\n    Args:\n      Files: good.txt;nothere.txt\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code = runTI(t, "", "--config", cfg, "-o", "json", "ti", "lookup", "--no-cache", "45.9.9.9", "45.9.9.10")
	rows = jsonRows(t, out)
	if code != 0 || len(rows) != 2 || rows[0]["StatusName"] != "found" || rows[1]["StatusName"] != "not found" ||
		!strings.Contains(fmt.Sprint(rows[1]["Details"]), "1 of 2 feed sources did not load ("+missing+")") {
		t.Errorf("partial: exit %d rows %v\n%s", code, rows, stderr)
	}
	if n := strings.Count(stderr, "not loaded"); n != 1 || !strings.Contains(stderr, "1 of 2 feed sources not loaded: "+missing+": no such file or folder") {
		t.Errorf("want one stderr line naming the missing file, got:\n%s", stderr)
	}
	out, _, code = runTI(t, "", "--config", cfg, "-o", "json", "config", "validate")
	if probs := jsonRows(t, out); code != 0 || len(probs) != 1 || !strings.Contains(fmt.Sprint(probs[0]["message"]), "the entry's other sources still load") {
		t.Errorf("validate partial: %d %v", code, probs)
	}
}

// TestFeedsNotLoadedCountsAgree: the ti providers status of a Feeds entry
// counts failed feed sources out of the feed sources only, as the WARN line
// and the "not found" note of the same config do; failed warninglists are
// counted apart, out of the warninglists.
func TestFeedsNotLoadedCountsAgree(t *testing.T) {
	tests := []struct {
		name, args, status, summary, note string
	}{
		{"feed missing, warninglists load", "Files: good.txt;nothere.txt\n      Warninglists: wl.json;wl2.json",
			"ready (1 of 2 feed sources failed to load)", "2 indicators from 2 feed sources and 2 warninglists",
			"1 of 2 feed sources did not load"},
		{"warninglist missing too", "Files: good.txt;nothere.txt\n      Warninglists: wl.json;wl-missing.json",
			"ready (1 of 2 feed sources and 1 of 2 warninglists failed to load)", "2 indicators from 2 feed sources and 2 warninglists",
			"1 of 2 feed sources did not load"},
		{"only a warninglist missing", "Files: good.txt\n      Warninglists: wl-missing.json",
			"ready (1 of 1 warninglists failed to load)", "2 indicators from 1 feed source and 1 warninglist", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, body := range map[string]string{
				"good.txt": "45.9.9.9\nevil.example.com\n",
				"wl.json":  `{"name":"Public DNS","type":"cidr","list":["8.8.8.0/24"],"description":"d","version":1}`,
				"wl2.json": `{"name":"More DNS","type":"cidr","list":["1.1.1.1"],"description":"d","version":1}`,
			} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			cfg := filepath.Join(dir, "msticpyconfig.yaml")
			if err := os.WriteFile(cfg, []byte("TIProviders:\n  Feeds:\n    Primary: True\n    Args:\n      "+tc.args+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			out, stderr, code := runTI(t, "", "--config", cfg, "-o", "json", "ti", "providers")
			rows := jsonRows(t, out)
			if code != 0 || len(rows) == 0 || rows[0]["status"] != tc.status || !strings.Contains(fmt.Sprint(rows[0]["description"]), tc.summary) {
				t.Errorf("providers: exit %d, entry row %v\n%s", code, rows, stderr)
			}
			if tc.note == "" {
				return
			}
			if !strings.Contains(stderr, strings.Replace(tc.note, "did not load", "not loaded", 1)) {
				t.Errorf("providers stderr does not count as the status does:\n%s", stderr)
			}
			out, stderr, code = runTI(t, "", "--config", cfg, "-o", "json", "ti", "lookup", "--no-cache", "45.9.9.10")
			rows = jsonRows(t, out)
			if code != 0 || len(rows) != 1 || !strings.Contains(fmt.Sprint(rows[0]["Details"]), tc.note) {
				t.Errorf("lookup: exit %d, rows %v\n%s", code, rows, stderr)
			}
		})
	}
}
