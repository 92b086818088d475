//go:build unix

package cli

import (
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// alive reports whether pid is a running process (a zombie waiting to be
// reaped counts as ended).
func alive(pid int) bool {
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		if i := strings.LastIndexByte(string(b), ')'); i > 0 && i+2 < len(b) {
			return b[i+2] != 'Z'
		}
	}
	return syscall.Kill(pid, 0) == nil
}

// TestPluginProcessesEndWithTheRun: when a command line finishes, the
// plugin processes it started are ended with their whole process group, so
// a program a plugin started does not outlive the command.
func TestPluginProcessesEndWithTheRun(t *testing.T) {
	if _, err := osexec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	if _, err := osexec.LookPath("sleep"); err != nil {
		t.Skip("no sleep program")
	}
	sdk, _ := filepath.Abs("../../sdk/python")
	dir := t.TempDir()
	pdir := filepath.Join(dir, "spawner")
	os.MkdirAll(pdir, 0o755)
	os.WriteFile(filepath.Join(pdir, "plugin.yaml"), []byte(fmt.Sprintf(
		"kind: data\nprovider_name: Spawner\ncommand: [python3, spawner.py]\nenv: {PYTHONPATH: %q}\nlimits: {shutdown_timeout: 1s}\n", sdk)), 0o644)
	os.WriteFile(filepath.Join(pdir, "spawner.py"), []byte(`import subprocess
from msticgo_plugin import DataDriver, serve

class Spawner(DataDriver):
    def query(self, text, args=None, limit=0):
        child = subprocess.Popen(["sleep", "300"])
        return [{"pid": child.pid}]

serve(Spawner)
`), 0o644)
	out, stderr, code := runPluginsCLI(t, "--plugins", dir, "-o", "json", "query", "exec", "--env", "Spawner", "start a child")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, stderr, out)
	}
	rows := jsonRows(t, out)
	if len(rows) != 1 {
		t.Fatalf("rows %v", rows)
	}
	pid, err := strconv.Atoi(fmt.Sprint(rows[0]["pid"]))
	if err != nil || pid <= 0 {
		t.Fatalf("pid %v: %v", rows[0]["pid"], err)
	}
	// The group was sent SIGKILL before Run returned; the kernel may take a
	// moment to finish the child.
	for i := 0; alive(pid) && i < 250; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if alive(pid) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Fatalf("the plugin's child %d outlived the command", pid)
	}
}
