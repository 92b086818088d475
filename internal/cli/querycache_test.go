package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestQueryParseCache checks that query commands keep parsed query files in
// $MSTICGO_CACHE_DIR/queries, give the same answers from the cache, parse an
// edited file again (entries are keyed by content), and keep nothing outside
// the run's HOME when no cache folder is set.
func TestQueryParseCache(t *testing.T) {
	qdir := t.TempDir()
	file := filepath.Join(qdir, "q.yaml")
	write := func(desc string) {
		t.Helper()
		y := "metadata:\n  version: 1\n  description: t\n  data_environments: [MSSentinel]\n  data_families: [CacheTest]\n" +
			"sources:\n  one:\n    description: " + desc + "\n    args:\n      query: 'T | take 1'\n    parameters: {}\n"
		if err := os.WriteFile(file, []byte(y), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	entries := func(dir string) int {
		t.Helper()
		es, err := os.ReadDir(dir)
		if err != nil {
			return 0
		}
		return len(es)
	}

	tests := []struct {
		name     string
		cacheEnv string // MSTICGO_CACHE_DIR; "<tmp>" = a fresh folder
		cached   bool
	}{
		{"cache folder from MSTICGO_CACHE_DIR", "<tmp>", true},
		{"no HOME, no cache folder", "<nohome>", false},
		{"default under HOME", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			env := map[string]string{"HOME": home}
			cacheDir := filepath.Join(home, ".cache", "msticgo", "queries")
			switch tc.cacheEnv {
			case "<tmp>":
				d := t.TempDir()
				env["MSTICGO_CACHE_DIR"] = d
				cacheDir = filepath.Join(d, "queries")
			case "<nohome>":
				env["HOME"] = ""
			}
			write("first text")
			args := []string{"query", "list", "--query-path", qdir, "--env", "MSSentinel", "--family", "CacheTest", "-o", "csv"}
			out1, errOut, code := runQueryCLI(t, env, args...)
			if code != 0 || !strings.Contains(out1, "first text") {
				t.Fatalf("first run: exit %d\n%s\n%s", code, out1, errOut)
			}
			if n := entries(cacheDir); (n > 0) != tc.cached {
				t.Fatalf("%d cache entries in %s, want cached=%v", n, cacheDir, tc.cached)
			}
			if !tc.cached && entries(filepath.Join(home, ".cache")) != 0 {
				t.Fatalf("a cache was written under %s", home)
			}
			out2, _, code := runQueryCLI(t, env, args...)
			if code != 0 || out2 != out1 {
				t.Fatalf("second run (from the cache) differs: exit %d\n%s\nwant\n%s", code, out2, out1)
			}
			write("edited text")
			out3, _, code := runQueryCLI(t, env, args...)
			if code != 0 || !strings.Contains(out3, "edited text") || strings.Contains(out3, "first text") {
				t.Fatalf("edited file not parsed again: exit %d\n%s", code, out3)
			}
		})
	}
}
