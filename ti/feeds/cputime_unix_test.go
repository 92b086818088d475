//go:build unix

package feeds

import (
	"syscall"
	"time"
)

// cpuTime is the process's user+system CPU time: on a shared, busy
// machine lookups per CPU-second is steadier than per wall-second.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
