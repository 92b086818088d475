//go:build unix

package exec

import (
	"context"
	"fmt"
	"os"
	osexec "os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/msticgo/msticgo/registry"
)

func TestProcessGroupEndedOnClose(t *testing.T) {
	if _, err := osexec.LookPath("sleep"); err != nil {
		t.Skip("no sleep program")
	}
	def, p, buf := loggedInstance(t, writePlugin(t, goManifest(t, "ti", "Spawner", "spawn", "")))
	if r := p.Lookup(context.Background(), items(1)[0]); !r.Status.OK() {
		t.Fatalf("lookup: %v", r.Message)
	}
	var pid int
	for i := 0; i < 100 && pid == 0; i++ {
		if pid = logPid(buf.String(), "child "); pid == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if pid == 0 {
		t.Fatalf("no child pid in log:\n%s", buf.String())
	}
	def.Close()
	// The group was sent SIGKILL before Close returned; the kernel may take
	// a moment to finish the child.
	if waitEnded(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Fatalf("child %d of the plugin still runs after Close", pid)
	}
}

// logPid is the number that follows the first marker in log, 0 if none.
func logPid(log, marker string) int {
	_, after, ok := strings.Cut(log, marker)
	if !ok {
		return 0
	}
	digits := strings.FieldsFunc(after, func(r rune) bool { return r < '0' || r > '9' })
	if len(digits) == 0 {
		return 0
	}
	pid, _ := strconv.Atoi(digits[0])
	return pid
}

// waitEnded waits up to 5s for pid to end and reports whether it still
// runs.
func waitEnded(pid int) bool {
	for i := 0; running(pid) && i < 250; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	return running(pid)
}

// running reports whether pid is a running process; a zombie waiting to be
// reaped (by whoever inherited it) counts as ended.
func running(pid int) bool {
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		if i := strings.LastIndexByte(string(b), ')'); i > 0 && i+2 < len(b) {
			return b[i+2] != 'Z'
		}
	}
	return syscall.Kill(pid, 0) == nil
}

// TestStopGracefulFirst: stopping a plugin asks first (shutdown, then stdin
// closed), then sends SIGTERM to its process group, then SIGKILL; each step
// is taken only when the one before did not end the process.
func TestStopGracefulFirst(t *testing.T) {
	cases := []struct {
		mode string
		want string
		ok   func(ws syscall.WaitStatus) bool
	}{
		{"good", "a clean exit after shutdown", func(ws syscall.WaitStatus) bool { return ws.Exited() && ws.ExitStatus() == 0 }},
		{"noshutdown", "SIGTERM", func(ws syscall.WaitStatus) bool { return ws.Signaled() && ws.Signal() == syscall.SIGTERM }},
		{"stubborn", "SIGKILL", func(ws syscall.WaitStatus) bool { return ws.Signaled() && ws.Signal() == syscall.SIGKILL }},
	}
	for _, c := range cases {
		t.Run(c.mode, func(t *testing.T) {
			dir := writePlugin(t, goManifest(t, "ti", "Stop", c.mode, ""))
			def, err := Load(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			inst, err := def.Factory(context.Background(), registry.FactoryArgs{})
			if err != nil {
				t.Fatal(err)
			}
			p := inst.(*Provider)
			if r := p.Lookup(context.Background(), items(1)[0]); !r.Status.OK() {
				t.Fatalf("lookup: %v %q", r.Status, r.Message)
			}
			p.pool.mu.Lock()
			var pr *proc
			for x := range p.pool.live {
				pr = x
			}
			p.pool.mu.Unlock()
			if pr == nil {
				t.Fatal("no process after a lookup")
			}
			def.Close()
			<-pr.done
			ws, _ := pr.cmd.ProcessState.Sys().(syscall.WaitStatus)
			if !c.ok(ws) {
				t.Errorf("process ended with %v; want %s", pr.cmd.ProcessState, c.want)
			}
		})
	}
}

// TestBrokenProcessEndedByClose: a process given up on (it blocked past its
// call timeout, or never answered initialize) and ignoring SIGTERM is
// ended, SIGKILL included, before Close returns, not left running after
// msticgo exits.
func TestBrokenProcessEndedByClose(t *testing.T) {
	cases := []struct {
		mode, want string
	}{
		{"hang", "its process is ended"},
		{"noinit", "initialize"},
	}
	for _, c := range cases {
		t.Run(c.mode, func(t *testing.T) {
			m := fmt.Sprintf("kind: ti\nprovider_name: Hang\ncommand: [%q, %s]\nlimits: {start_timeout: 300ms, call_timeout: 300ms, shutdown_timeout: 300ms, max_restarts: 1}\n", testPluginBinary(t), c.mode)
			def, p, buf := loggedInstance(t, writePlugin(t, m))
			r := p.Lookup(context.Background(), items(1)[0])
			if r.Status.OK() || !strings.Contains(r.Message, c.want) {
				t.Fatalf("lookup: %v %q; want an error containing %q", r.Status, r.Message, c.want)
			}
			pid := logPid(buf.String(), "pid ")
			if pid == 0 {
				t.Fatalf("no pid in log:\n%s", buf.String())
			}
			def.Close()
			if running(pid) {
				syscall.Kill(pid, syscall.SIGKILL)
				t.Fatalf("plugin process %d still runs after Close", pid)
			}
		})
	}
}

// TestExitSeenWithDaemonHoldingPipes: a plugin that exits while a program
// it started in a session of its own (a daemon) still holds its stdout and
// stderr open is reported as exited, with its status and stderr, not as a
// call timeout after waiting for the pipes to close.
func TestExitSeenWithDaemonHoldingPipes(t *testing.T) {
	if _, err := osexec.LookPath("setsid"); err != nil {
		t.Skip("no setsid program")
	}
	// a call timeout of a minute: before the fix the lookup waited for it
	m := goManifest(t, "ti", "Daemon", "daemon", "", "call_timeout: 60s", "max_restarts: 1")
	def, p, buf := loggedInstance(t, writePlugin(t, strings.Replace(m, "call_timeout: 5s, ", "", 1)))
	// the process answers initialize after starting the daemon
	r := p.Lookup(context.Background(), items(1)[0])
	pid := logPid(buf.String(), "child ")
	if pid > 0 {
		defer syscall.Kill(pid, syscall.SIGKILL)
	}
	for _, want := range []string{"exited during lookup: exit status 3", "fatal: upstream said 401"} {
		if !strings.Contains(r.Message, want) {
			t.Errorf("lookup: %v %q; want it to contain %q", r.Status, r.Message, want)
		}
	}
	if runtime.GOOS != "linux" {
		return // finding the processes that hold a pipe needs /proc
	}
	if pid == 0 {
		t.Fatalf("no child pid in log:\n%s", buf.String())
	}
	// Close ends the daemon too: it still holds the plugin's pipes
	def.Close()
	if waitEnded(pid) {
		t.Errorf("the plugin's daemon %d still runs after Close", pid)
	}
}
