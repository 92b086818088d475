package querystore

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCacheKeyFollowsCode: the key of an entry depends on the parsing
// code's digest, and entries unused for a month are pruned when a new
// entry is written.
func TestCacheKeyFollowsCode(t *testing.T) {
	if v := codeVersion(); len(v) <= len(cacheVersion)+1 {
		t.Fatalf("code version %q has no code digest", v)
	}
	dir := t.TempDir()
	old := filepath.Join(dir, "stale-entry")
	recent := filepath.Join(dir, "recent-entry")
	for _, p := range []string{old, recent} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-40 * 24 * time.Hour)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	s := New()
	s.SetCacheDir(dir)
	s.LoadBytes("a.yaml", []byte("metadata: {version: 1, description: test file, data_environments: [MSSentinel], data_families: [F]}\nsources:\n  q: {description: a query, args: {query: T}}\n"))
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("stale entry kept: %v", err)
	}
	if _, err := os.Stat(recent); err != nil {
		t.Errorf("recent entry removed: %v", err)
	}
}
