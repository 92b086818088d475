//go:build unix

package querystore

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestCacheFIFOEntry: a FIFO where an entry should be (planted, or left
// by a tool) is skipped rather than opened for a blocking read, which
// used to hang loading forever; the file is parsed and the FIFO replaced
// by a real entry.
func TestCacheFIFOEntry(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, cacheKey([]byte(trustSrc)))
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if got := loadTemplate(t, dir); got != "RealTemplate" {
		t.Fatalf("template = %q", got)
	}
	st, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Mode().IsRegular() {
		t.Errorf("entry is still %v, want a regular file", st.Mode().Type())
	}
}
