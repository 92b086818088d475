//go:build unix

package cachefile

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
)

// TestReadFileFIFO: a FIFO with no writer is refused at once, not waited on.
func TestReadFileFIFO(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if _, err := ReadFile(p, 100); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("err = %v, want ErrNotRegular", err)
	}
}
