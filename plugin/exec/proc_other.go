//go:build !unix

package exec

import (
	"io"
	"os"
	osexec "os/exec"
)

func setProcessGroup(cmd *osexec.Cmd) {}

func terminateGroup(cmd *osexec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}

func killGroup(cmd *osexec.Cmd) {
	if cmd.Process != nil {
		_ = cmd.Process.Kill()
	}
}

// readAvailable: without non-blocking reads, what is left after the exit is
// given up.
func readAvailable(f *os.File, b []byte) (int, error) { return 0, io.EOF }

func pipeInode(f *os.File) uint64 { return 0 }
