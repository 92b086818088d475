package lookup

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/msticgo/msticgo/internal/cachefile"
)

// TestCacheFolderTrust: cached answers are read only from a folder that is
// the user's own and that group and others cannot write to, and only from
// a regular file; an unsafe folder is neither read nor written (Flush says
// why) and the answers stay in memory.
func TestCacheFolderTrust(t *testing.T) {
	tests := []struct {
		name    string
		mode    os.FileMode
		symlink bool
		want    bool // the planted answer is used
	}{
		{"own folder", 0o700, false, true},
		{"group-writable folder", 0o770, false, false},
		{"world-writable folder", 0o777, false, false},
		{"symlinked cache file", 0o700, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := filepath.Join(t.TempDir(), "src")
			w := NewCache(src, 0, nil)
			w.Put("VT", "k", Result{Status: StatusFound, Found: true, Details: "planted"})
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			planted := w.path("VT")
			dir := filepath.Join(t.TempDir(), "c")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(dir, filepath.Base(planted))
			if tt.symlink {
				if err := os.Symlink(planted, dst); err != nil {
					t.Skipf("no symlinks: %v", err)
				}
			} else if err := os.Rename(planted, dst); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, tt.mode); err != nil {
				t.Fatal(err)
			}
			c := NewCache(dir, 0, nil)
			if _, ok := c.Get("VT", "k"); ok != tt.want {
				t.Fatalf("planted answer used = %v, want %v", ok, tt.want)
			}
			c.Put("VT", "k2", Result{Status: StatusNotFound})
			err := c.Flush()
			if tt.mode&0o022 != 0 {
				if !errors.Is(err, cachefile.ErrUnsafeDir) {
					t.Fatalf("Flush = %v, want ErrUnsafeDir", err)
				}
				if _, ok := c.Get("VT", "k2"); !ok {
					t.Error("answer not kept in memory")
				}
			} else if err != nil {
				t.Fatalf("Flush = %v", err)
			}
		})
	}
}
