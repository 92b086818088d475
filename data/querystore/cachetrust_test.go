package querystore

import (
	"os"
	"path/filepath"
	"testing"
)

const trustSrc = "metadata: {version: 1, description: test file, data_environments: [MSSentinel], data_families: [F]}\nsources:\n  q: {description: a query, args: {query: RealTemplate}}\n"

// forgedEntry is a well-formed cache entry for trustSrc whose query sends
// another template.
func forgedEntry(t *testing.T) []byte {
	t.Helper()
	qs, probs := ParseFile("a.yaml", []byte(trustSrc))
	for _, q := range qs {
		q.Template = "Forged"
	}
	b, err := encodeEntry(qs, probs)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadTemplate(t *testing.T, dir string) string {
	t.Helper()
	s := New()
	s.SetCacheDir(dir)
	s.LoadBytes("a.yaml", []byte(trustSrc))
	q, err := s.Get("MSSentinel", "F.q")
	if err != nil {
		t.Fatal(err)
	}
	return q.Template
}

// TestCacheEntryTrust: the parse cache is a hint. An entry is used only
// when it is a regular file in a folder that only the user can write to;
// anything else falls back to parsing (and never blocks: see the FIFO
// test in cachefifo_unix_test.go).
func TestCacheEntryTrust(t *testing.T) {
	tests := []struct {
		name    string
		mode    os.FileMode // folder mode
		symlink bool        // the entry is a symlink to a forged entry
		want    string
	}{
		{"own folder: entry used", 0o700, false, "Forged"},
		{"group-writable folder ignored", 0o770, false, "RealTemplate"},
		{"world-writable folder ignored", 0o777, false, "RealTemplate"},
		{"symlinked entry ignored", 0o700, true, "RealTemplate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "queries")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, cacheKey([]byte(trustSrc)))
			if tt.symlink {
				other := filepath.Join(t.TempDir(), "elsewhere")
				if err := os.WriteFile(other, forgedEntry(t), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(other, path); err != nil {
					t.Skipf("no symlinks: %v", err)
				}
			} else if err := os.WriteFile(path, forgedEntry(t), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, tt.mode); err != nil {
				t.Fatal(err)
			}
			if got := loadTemplate(t, dir); got != tt.want {
				t.Errorf("template = %q, want %q", got, tt.want)
			}
		})
	}
}
