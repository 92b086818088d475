package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// TestTIProvidersFeedsListingWords: a Feeds entry's limits say "local"
// (no parallel calls, timeouts or retries to speak of for local data), and
// a source of one indicator says "1 indicator", a warninglist of one value
// "1 entry".
func TestTIProvidersFeedsListingWords(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"one.txt": "1.2.3.4\n",
		"wl.json": `{"name":"One","type":"cidr","list":["8.8.8.8/32"],"description":"d","version":1}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(dir, "msticpyconfig.yaml")
	if err := os.WriteFile(cfg, []byte("TIProviders:\n  Feeds:\n    Primary: true\n    Args:\n      Files: one.txt\n      Warninglists: wl.json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runTI(t, "", "--config", cfg, "-o", "json", "ti", "providers")
	rows := jsonRows(t, out)
	if code != 0 || len(rows) != 3 {
		t.Fatalf("exit %d rows %v\n%s", code, rows, stderr)
	}
	if rows[0]["limits"] != "local" {
		t.Errorf("entry limits %q", rows[0]["limits"])
	}
	statuses := map[any]any{}
	for _, r := range rows[1:] {
		statuses[r["role"]] = r["status"]
	}
	if statuses["feed"] != "loaded: 1 indicator (plain)" || statuses["warninglist"] != "loaded: 1 entry (warninglist)" {
		t.Errorf("source statuses %v", statuses)
	}
}
