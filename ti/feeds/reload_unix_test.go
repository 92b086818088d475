//go:build unix

package feeds

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/msticgo/msticgo/lookup"
)

// TestReloadDoesNotBlockLookups holds a reload in the middle of reading a
// feed file (the file is a named pipe with nobody writing yet) and checks
// that lookups keep answering from the previous index meanwhile; once the
// file's new content arrives the reload swaps the index in.
func TestReloadDoesNotBlockLookups(t *testing.T) {
	dir := t.TempDir()
	f := write(t, dir, "f.txt", "1.2.3.4\n")
	p := newProv(t, map[string]string{"Files": "f.txt", "Reload": "off"}, dir)
	if !look(p, "ipv4", "1.2.3.4").Found {
		t.Fatal("not loaded")
	}
	if err := os.Remove(f); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(f, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	reloaded := make(chan error, 1)
	go func() { reloaded <- p.Reload(context.Background()) }()

	// Opening the pipe for writing without blocking succeeds only once the
	// reload has it open for reading: the reload is then in flight.
	var w *os.File
	deadline := time.Now().Add(10 * time.Second) // a fail-safe, not a timing assertion
	for {
		var err error
		w, err = os.OpenFile(f, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.ENXIO) || time.Now().After(deadline) {
			t.Fatalf("the reload never opened the feed file: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Cleanup(func() { w.Close() })

	answered := make(chan lookup.Result, 1)
	go func() { answered <- look(p, "ipv4", "1.2.3.4") }()
	select {
	case r := <-answered:
		if !r.Found {
			t.Errorf("during the reload: %+v, want the previous index's answer", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a lookup waited for the reload")
	}
	select {
	case err := <-reloaded:
		t.Fatalf("the reload finished before its file was written: %v", err)
	default:
	}

	if _, err := w.WriteString("5.6.7.8\n"); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if err := <-reloaded; err != nil {
		t.Fatal(err)
	}
	if !look(p, "ipv4", "5.6.7.8").Found || look(p, "ipv4", "1.2.3.4").Found {
		t.Error("the reloaded index was not swapped in")
	}
}
