//go:build unix

package lookup

import (
	"syscall"
	"testing"
)

// TestCacheFIFOFile: a FIFO where a cache or quota file should be is
// ignored, not opened for a blocking read (which hung the lookup).
func TestCacheFIFOFile(t *testing.T) {
	dir := t.TempDir()
	c := NewCache(dir, 0, nil)
	q := newQuota("Q", 5, dir, nil)
	for _, p := range []string{c.path("VT"), q.path} {
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
	}
	if _, ok := c.Get("VT", "k"); ok {
		t.Error("an answer from a FIFO")
	}
	if q2 := newQuota("Q", 5, dir, nil); q2.count != 0 {
		t.Errorf("quota count %d from a FIFO", q2.count)
	}
	c.Put("VT", "k", Result{Status: StatusNotFound})
	if err := c.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, ok := NewCache(dir, 0, nil).Get("VT", "k"); !ok {
		t.Error("the FIFO was not replaced by the cache file")
	}
}
