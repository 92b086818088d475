//go:build unix

package exec

import (
	"context"
	"log/slog"
	osexec "os/exec"
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
	var buf syncBuffer
	dir := writePlugin(t, goManifest(t, "ti", "Spawner", "spawn", ""))
	def, err := Load(dir, slog.New(slog.NewTextHandler(&buf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	inst, _ := def.Factory(context.Background(), registry.FactoryArgs{})
	if r := inst.(*Provider).Lookup(context.Background(), items(1)[0]); !r.Status.OK() {
		t.Fatalf("lookup: %v", r.Message)
	}
	var pid int
	for i := 0; i < 100 && pid == 0; i++ {
		if _, after, ok := strings.Cut(buf.String(), "child "); ok {
			pid, _ = strconv.Atoi(strings.FieldsFunc(after, func(r rune) bool { return r < '0' || r > '9' })[0])
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if pid == 0 {
		t.Fatalf("no child pid in log:\n%s", buf.String())
	}
	def.Close()
	deadline := time.Now().Add(3 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("child %d of the plugin still runs after Close", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
