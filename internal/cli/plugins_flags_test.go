package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPluginsFlagMissingFolder: a --plugins folder typed on the command line
// that is not there (or is a file) stops any other command with exit 2 and
// one line naming it, before anything is looked up; the plugins commands
// still list everything else (TestPluginsFlagRelativeToCWD).
func TestPluginsFlagMissingFolder(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "notes.txt")
	os.WriteFile(file, []byte("x"), 0o644)
	missing := filepath.Join(dir, "nope")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"missing, ti lookup", []string{"--plugins", missing, "ti", "lookup", "91.234.254.144"}, "msticgo: --plugins " + missing + ": no such folder"},
		{"missing, query list", []string{"--plugins", missing, "query", "list"}, "msticgo: --plugins " + missing + ": no such folder"},
		{"a file, providers list", []string{"--plugins", file, "providers", "list"}, "msticgo: --plugins " + file + ": not a folder"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := runPluginsCLI(t, tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.want) || out != "" {
				t.Fatalf("exit %d\nstderr %q\nstdout %q\nwant exit 2 and %q", code, stderr, out, tc.want)
			}
			if n := strings.Count(strings.TrimSpace(stderr), "\n"); n != 0 {
				t.Errorf("want one stderr line, got %q", stderr)
			}
		})
	}
	// The good folder still works on its own.
	abs, _ := filepath.Abs(scenarioStar)
	if _, stderr, code := runPluginsCLI(t, "--plugins", abs, "providers", "list"); code != 0 {
		t.Fatalf("good folder: exit %d %s", code, stderr)
	}
}

// TestPluginsValidateDefaultFolders: plugins validate and test with no DIR
// work on the run's own folders (PluginFolders, relative to the config,
// then --plugins); with none at all they say how to name one.
func TestPluginsValidateDefaultFolders(t *testing.T) {
	abs, _ := filepath.Abs(scenarioStar)
	cfgDir := t.TempDir()
	copyDir(t, abs, filepath.Join(cfgDir, "plugins"))
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "bad.star"), []byte("def lookup(:\n"), 0o644)
	cfg := filepath.Join(cfgDir, "msticpyconfig.yaml")
	os.WriteFile(cfg, []byte("PluginFolders: plugins\n"), 0o644)

	out, stderr, code := runPluginsCLI(t, "--config", cfg, "-o", "csv", "plugins", "validate")
	if code != 0 || !strings.Contains(out, filepath.Join(cfgDir, "plugins")) || !strings.Contains(out, "Provider1") {
		t.Fatalf("PluginFolders: exit %d %s\n%s", code, stderr, out)
	}
	out, stderr, code = runPluginsCLI(t, "--config", cfg, "--plugins", bad, "-o", "csv", "plugins", "validate")
	if code != 2 || !strings.Contains(out, "Provider1") || !strings.Contains(stderr, "bad.star:1:") {
		t.Fatalf("PluginFolders + --plugins: exit %d %s\n%s", code, stderr, out)
	}
	out, stderr, code = runPluginsCLI(t, "--config", cfg, "-o", "csv", "plugins", "test")
	if code == 2 || !strings.Contains(out, "Provider1") {
		t.Fatalf("plugins test: exit %d %s\n%s", code, stderr, out)
	}
	empty := filepath.Join(t.TempDir(), "msticpyconfig.yaml")
	os.WriteFile(empty, []byte("# nothing\n"), 0o644)
	for _, sub := range []string{"validate", "test"} {
		_, stderr, code = runPluginsCLI(t, "--config", empty, "plugins", sub)
		if code != 2 || !strings.Contains(stderr, "name at least one plugin folder") || !strings.Contains(stderr, "--plugins or PluginFolders") {
			t.Errorf("%s with no folder: exit %d %q", sub, code, stderr)
		}
	}
}

// TestPluginsTestDetailsAsJSON: plugins test prints a plugin's details as
// the other commands do (compact JSON, nothing for none), not Go's map
// formatting or <nil>.
func TestPluginsTestDetailsAsJSON(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "local.star"), []byte(`PROVIDER_NAME = "LocalStar"
SUPPORTED = ["ipv4"]
TEST_DATA = [{"ioc": "91.234.254.144", "ioc_type": "ipv4", "expect": "found"}, {"ioc": "1.1.1.1", "ioc_type": "ipv4", "expect": "not_found"}]

def lookup(ioc, ioc_type, settings):
    if ioc == "1.1.1.1":
        return None
    return {"found": True, "severity": "high", "details": {"score": 90, "tags": ["c2", "apt"]}}
`), 0o644)
	out, stderr, code := runPluginsCLI(t, "-o", "csv", "--max-width", "-1", "plugins", "test", dir)
	if code != 0 {
		t.Fatalf("exit %d %s\n%s", code, stderr, out)
	}
	for _, want := range []string{`severity high; {""score"":90,""tags"":[""c2"",""apt""]}`, "not found,severity information\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for _, bad := range []string{"map[", "<nil>"} {
		if strings.Contains(out, bad) {
			t.Errorf("output has Go formatting %q:\n%s", bad, out)
		}
	}
}
