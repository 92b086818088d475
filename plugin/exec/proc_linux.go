//go:build linux

package exec

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// killPipeHolders ends the processes, other than msticgo, that still hold
// one of these pipes (by inode): programs the plugin started that left its
// process group (setsid, a double fork) and kept its stdout or stderr. A
// program that also closed those is not found.
func killPipeHolders(inodes []uint64, name string, log *slog.Logger) {
	if len(inodes) == 0 {
		return
	}
	want := make(map[string]bool, len(inodes))
	for _, ino := range inodes {
		want[fmt.Sprintf("pipe:[%d]", ino)] = true
	}
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	self := os.Getpid()
	for _, d := range procs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil || pid == self {
			continue
		}
		fdDir := filepath.Join("/proc", d.Name(), "fd")
		fds, err := os.ReadDir(fdDir) // another user's: permission denied
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if link, err := os.Readlink(filepath.Join(fdDir, fd.Name())); err == nil && want[link] {
				if syscall.Kill(pid, syscall.SIGKILL) == nil && log != nil {
					log.Warn("ended a process the plugin started outside its process group that still held its output", "plugin", name, "pid", pid)
				}
				break
			}
		}
	}
}
