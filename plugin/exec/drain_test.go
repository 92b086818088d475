package exec

import (
	"io"
	"os"
	"testing"
)

// TestExitReaderDrainIsBounded: after the process exited, what is left in
// a pipe is read only up to maxDrain bytes, so a writer left behind that
// never stops (a daemon holding the pipe) cannot keep the reader going
// (code review). The pipe still holds data when the reader has drained
// maxDrain bytes: it must end there.
func TestExitReaderDrainIsBounded(t *testing.T) {
	tests := []struct {
		name    string
		drained int // bytes already read after the exit
		want    int64
	}{
		{"below the bound: the rest is read", 0, 100},
		{"at the bound: nothing more", maxDrain, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			defer w.Close()
			if _, err := w.Write(make([]byte, 100)); err != nil {
				t.Fatal(err)
			}
			er := &exitReader{f: r, drained: tt.drained}
			if !er.exit() {
				t.Skip("pipes without read deadlines here")
			}
			n, err := io.Copy(io.Discard, er)
			if err != nil || n != tt.want {
				t.Errorf("read %d bytes (%v), want %d", n, err, tt.want)
			}
		})
	}
}
