//go:build unix

package exec

import (
	"errors"
	"io"
	"os"
	osexec "os/exec"
	"syscall"
)

// setProcessGroup puts the plugin in its own process group so that every
// process it starts can be ended with it.
func setProcessGroup(cmd *osexec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func terminateGroup(cmd *osexec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	}
}

func killGroup(cmd *osexec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// readAvailable reads what is in the pipe now, without waiting: io.EOF when
// it is empty.
func readAvailable(f *os.File, b []byte) (int, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, err
	}
	for {
		var n int
		var rerr error
		if err := rc.Read(func(fd uintptr) bool {
			n, rerr = syscall.Read(int(fd), b)
			return true // never wait for more
		}); err != nil {
			return 0, err
		}
		switch {
		case errors.Is(rerr, syscall.EINTR):
			continue
		case errors.Is(rerr, syscall.EAGAIN), rerr == nil && n <= 0:
			return 0, io.EOF
		case rerr != nil:
			return 0, rerr
		}
		return n, nil
	}
}

// pipeInode is the inode of a pipe, 0 if unknown.
func pipeInode(f *os.File) uint64 {
	if fi, err := f.Stat(); err == nil {
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			return uint64(st.Ino)
		}
	}
	return 0
}
