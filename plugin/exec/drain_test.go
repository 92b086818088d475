package exec

import (
	"io"
	"os"
	"testing"
)

// TestExitReaderDrainIsBounded: after the process exited, a writer left
// behind that never stops (a daemon holding the pipe) cannot keep the
// reader going: it ends after maxDrain bytes (code review).
func TestExitReaderDrainIsBounded(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	stop := make(chan struct{})
	go func() {
		buf := make([]byte, 32<<10)
		for {
			select {
			case <-stop:
				_ = w.Close()
				return
			default:
			}
			if _, err := w.Write(buf); err != nil {
				return
			}
		}
	}()
	defer close(stop)
	er := &exitReader{f: r}
	if !er.exit() {
		t.Skip("pipes without read deadlines here")
	}
	n, err := io.Copy(io.Discard, er)
	if err != nil {
		t.Fatal(err)
	}
	if n > maxDrain+(64<<10) {
		t.Errorf("read %d bytes after the exit, want at most about %d", n, maxDrain)
	}
}
