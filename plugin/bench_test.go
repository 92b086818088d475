package plugin

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/msticgo/msticgo/registry"
)

// makeFolder writes n plugin definitions, a third of each way. Executable
// manifests name a program that does not start anything when loaded.
func makeFolder(tb testing.TB, n int) string {
	dir := tb.TempDir()
	for i := 0; i < n; i++ {
		switch i % 3 {
		case 0:
			write(tb, dir, fmt.Sprintf("s%03d.star", i), fmt.Sprintf("PROVIDER_NAME = 'Star%d'\nSUPPORTED = ['ipv4']\ndef lookup(ioc, t, s):\n    return {'found': True, 'details': ioc}\n", i))
		case 1:
			write(tb, dir, fmt.Sprintf("d%03d.yaml", i), fmt.Sprintf("kind: ti\nprovider_name: Decl%d\nbase_url: https://x%d.example\nsettings: [{name: AuthKey, required: true, secret: true}]\nheaders: {X-Key: '{AuthKey}'}\nqueries:\n  ipv4: {path: '/ip/{observable}'}\n  dns: {path: '/d/{observable}'}\nresult:\n  found: 'status == 200'\n  severity: 'response.score > 50 ? \"high\" : \"information\"'\n  details: 'response'\n", i, i))
		case 2:
			write(tb, dir, filepath.Join(fmt.Sprintf("e%03d", i), "plugin.yaml"), fmt.Sprintf("kind: ti\nprovider_name: Exec%d\ncommand: [./run.sh]\nsettings: [{name: AuthKey, secret: true}]\nlimits: {call_timeout: 5s, concurrency: 2}\n", i))
			write(tb, dir, filepath.Join(fmt.Sprintf("e%03d", i), "run.sh"), "#!/bin/sh\ntouch "+filepath.Join(dir, "started")+"\n")
		}
	}
	return dir
}

// BenchmarkLoad100 loads a folder of 100 plugin definitions (34 Starlark,
// 33 declarative, 33 executable). No process starts.
func BenchmarkLoad100(b *testing.B) {
	dir := makeFolder(b, 100)
	for b.Loop() {
		reg := registry.New()
		rep := Load(context.Background(), reg, []string{dir}, Options{})
		if len(rep.Loaded) != 100 || rep.Err() != nil {
			b.Fatalf("loaded %d: %v", len(rep.Loaded), rep.Err())
		}
	}
	b.StopTimer()
	if _, err := os.Stat(filepath.Join(dir, "started")); err == nil {
		b.Fatal("loading started a plugin process")
	}
}
