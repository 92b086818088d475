package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runPluginsCLI runs one command line and returns stdout, stderr and the exit code.
func runPluginsCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{"HOME": t.TempDir()}
	code := Run(context.Background(), Env{Args: args, Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }})
	return out.String(), errb.String(), code
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if info.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, info.Mode())
	})
	if err != nil {
		t.Fatal(err)
	}
}

func jsonRows(t *testing.T, s string) []map[string]any {
	t.Helper()
	var rows []map[string]any
	if err := json.Unmarshal([]byte(s), &rows); err != nil {
		t.Fatalf("output is not a JSON array: %v\n%s", err, s)
	}
	return rows
}

func rowByName(rows []map[string]any, name string) map[string]any {
	for _, r := range rows {
		if r["name"] == name {
			return r
		}
	}
	return nil
}

const scenarioStar = "../../plugin/testdata/scenario-starlark"

// TestPluginsListConfigRelative: PluginFolders paths are relative to the
// config file's folder; states say loaded / not configured.
func TestPluginsListConfigRelative(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, scenarioStar, filepath.Join(dir, "plugins"))
	cfg := filepath.Join(dir, "msticpyconfig.yaml")
	os.WriteFile(cfg, []byte("PluginFolders: [plugins]\nTIProviders:\n  Provider2:\n    Args:\n      AuthKey: \"12345\"\n    Primary: True\n"), 0o644)
	out, stderr, code := runPluginsCLI(t, "--config", cfg, "-o", "json", "plugins", "list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows := jsonRows(t, out)
	if len(rows) != 5 {
		t.Fatalf("want 5 plugin rows, got %d:\n%s", len(rows), out)
	}
	if r := rowByName(rows, "Provider2"); r == nil || r["state"] != "loaded" || r["way"] != "declarative" {
		t.Errorf("Provider2 row %v", r)
	}
	if r := rowByName(rows, "SQLTestProvider"); r == nil || r["aliases"] != "SQLProdProvider" || r["way"] != "starlark" {
		t.Errorf("SQL row %v", r)
	}
	// Without the entry, Provider2 is not configured.
	os.WriteFile(cfg, []byte("PluginFolders: plugins\n"), 0o644)
	out, _, code = runPluginsCLI(t, "--config", cfg, "-o", "json", "plugins", "list")
	if r := rowByName(jsonRows(t, out), "Provider2"); code != 0 || r == nil || !strings.Contains(r["state"].(string), "not configured: AuthKey missing") {
		t.Errorf("exit %d, Provider2 row %v", code, r)
	}
}

// TestPluginsFlagRelativeToCWD: --plugins DIR is relative to the current
// directory; a missing folder is one clear error (exit 2), the rest load.
func TestPluginsFlagRelativeToCWD(t *testing.T) {
	abs, _ := filepath.Abs(scenarioStar)
	dir := t.TempDir()
	copyDir(t, abs, filepath.Join(dir, "p"))
	t.Chdir(dir)
	out, stderr, code := runPluginsCLI(t, "--plugins", "p", "--plugins", "missing", "-o", "json", "plugins", "list")
	if code != 2 || !strings.Contains(stderr, "missing") || !strings.Contains(stderr, "does not exist") {
		t.Fatalf("exit %d stderr %q", code, stderr)
	}
	rows := jsonRows(t, out)
	if rowByName(rows, "Provider1") == nil || rowByName(rows, "missing") == nil {
		t.Fatalf("rows %v", rows)
	}
	if n := strings.Count(stderr, "does not exist"); n != 1 {
		t.Errorf("missing folder reported %d times", n)
	}
}

func TestPluginsValidate(t *testing.T) {
	out, stderr, code := runPluginsCLI(t, "plugins", "validate", scenarioStar)
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, stderr, out)
	}
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "a.star"), []byte("def lookup(:\n"), 0o644)
	os.WriteFile(filepath.Join(bad, "b.yaml"), []byte("kind: ti\nprovider_name: B\n"), 0o644)
	os.WriteFile(filepath.Join(bad, "c.star"), []byte("PROVIDER_NAME = 'Same'\ndef lookup(a, b, c):\n    return None\n"), 0o644)
	os.WriteFile(filepath.Join(bad, "d.star"), []byte("PROVIDER_NAME = 'same'\ndef lookup(a, b, c):\n    return None\n"), 0o644)
	out, stderr, code = runPluginsCLI(t, "-o", "csv", "plugins", "validate", bad)
	if code != 2 || !strings.Contains(stderr, "4 problem(s)") { // b.yaml has two: no base_url, no queries
		t.Fatalf("exit %d stderr %q\n%s", code, stderr, out)
	}
	for _, w := range []string{"a.star:1:", "b.yaml", "base_url", "d.star", "clashes with the one already registered from plugin:" + filepath.Join(bad, "c.star")} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func TestPluginsTest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"indicator": %q}`, r.URL.Path)
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "msticpyconfig.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf("TIProviders:\n  Provider2:\n    Args:\n      AuthKey: \"12345\"\n      BaseURL: %s\n", srv.URL)), 0o644)
	dirs := []string{scenarioStar}
	if _, err := osexec.LookPath("python3"); err == nil {
		dirs = append(dirs, "../../plugin/testdata/scenario-exec")
	}
	for _, d := range dirs {
		out, stderr, code := runPluginsCLI(t, "--config", cfg, "-o", "json", "plugins", "test", d)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s\n%s", d, code, stderr, out)
		}
		rows := jsonRows(t, out)
		if r := rowByName(rows, "Provider2"); r == nil || r["status"] != "found" || !strings.Contains(r["detail"].(string), "/api/v1/indicators/IPv4/20.1.2.3/general") {
			t.Errorf("%s: Provider2 %v", d, r)
		}
		if r := rowByName(rows, "CustomDataProvA"); r == nil || r["status"] != "ok" || !strings.Contains(r["detail"].(string), "ID, A, B, C") {
			t.Errorf("%s: CustomDataProvA %v", d, r)
		}
		if r := rowByName(rows, "Provider1"); r == nil || r["status"] != "found" {
			t.Errorf("%s: Provider1 %v", d, r)
		}
	}
	// Without its AuthKey, Provider2 is not configured: its test is
	// skipped, not failed, and the run passes.
	out, stderr, code := runPluginsCLI(t, "-o", "json", "plugins", "test", scenarioStar)
	if code != 0 {
		t.Errorf("exit %d, want 0: %s", code, stderr)
	}
	if r := rowByName(jsonRows(t, out), "Provider2"); r == nil || r["status"] != "skipped" || r["detail"] != "not configured: missing required setting AuthKey" {
		t.Errorf("Provider2 with no AuthKey: %v", r)
	}
}

// TestPluginsListHealth: --health starts each plugin; one that cannot
// start is unavailable with its stderr, a working one is healthy.
func TestPluginsListHealth(t *testing.T) {
	if _, err := osexec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	abs, _ := filepath.Abs("../../plugin/testdata/scenario-exec/provider1")
	dir := t.TempDir()
	copyDir(t, abs, filepath.Join(dir, "provider1"))
	sdk, _ := filepath.Abs("../../sdk/python")
	os.WriteFile(filepath.Join(dir, "provider1", "plugin.yaml"), []byte(fmt.Sprintf("kind: ti\nprovider_name: Provider1\ncommand: [python3, provider1.py]\nenv: {PYTHONPATH: %q}\n", sdk)), 0o644)
	os.MkdirAll(filepath.Join(dir, "broken"), 0o755)
	os.WriteFile(filepath.Join(dir, "broken", "plugin.yaml"), []byte("kind: ti\ncommand: [python3, missing.py]\nlimits: {max_restarts: 1}\n"), 0o644)
	out, stderr, code := runPluginsCLI(t, "--plugins", dir, "-o", "json", "plugins", "list", "--health")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows := jsonRows(t, out)
	if r := rowByName(rows, "Provider1"); r == nil || r["state"] != "loaded (healthy)" {
		t.Errorf("Provider1 %v", r)
	}
	if r := rowByName(rows, "broken"); r == nil || !strings.HasPrefix(r["state"].(string), "unavailable: ") || !strings.Contains(r["state"].(string), "missing.py") {
		t.Errorf("broken %v", r)
	}
}

// TestPluginsBadInput: plugins validate and plugins test exit 2 on bad
// input, each problem one "msticgo: " line on stderr naming the file (and
// line); no folder at all is a clear usage line.
func TestPluginsBadInput(t *testing.T) {
	bad := t.TempDir()
	os.WriteFile(filepath.Join(bad, "a.star"), []byte("def lookup(:\n"), 0o644)
	os.WriteFile(filepath.Join(bad, "b.yaml"), []byte("kind: ti\nprovider_name: B\nbase_url: https://x.example\nqueries:\n  ipv4: {path: '/ip/{observable}'}\nresult:\n  found: 'status == == 200'\n"), 0o644)
	os.WriteFile(filepath.Join(bad, "ok.star"), []byte("PROVIDER_NAME = 'FineOne'\nTEST_DATA = [{'ioc': '1.2.3.4', 'ioc_type': 'ipv4'}]\ndef lookup(a, b, c):\n    return {'found': True}\n"), 0o644)
	missing := filepath.Join(t.TempDir(), "missing")
	tests := []struct {
		name  string
		args  []string
		lines []string // each must be a whole stderr line's prefix
	}{
		{"validate no folder", []string{"plugins", "validate"}, []string{"msticgo: plugins validate: name at least one plugin folder"}},
		{"test no folder", []string{"plugins", "test"}, []string{"msticgo: plugins test: name at least one plugin folder"}},
		{"validate bad files", []string{"plugins", "validate", bad}, []string{
			"msticgo: " + filepath.Join(bad, "a.star") + ":1:", "msticgo: " + filepath.Join(bad, "b.yaml") + ":7", "msticgo: 2 problem(s) in " + bad}},
		{"validate missing folder", []string{"plugins", "validate", missing}, []string{"msticgo: " + missing + ": plugin folder does not exist"}},
		{"test bad files", []string{"plugins", "test", bad}, []string{"msticgo: " + filepath.Join(bad, "a.star") + ":1:", "msticgo: 2 problem(s) in " + bad}},
		{"test missing folder", []string{"plugins", "test", missing}, []string{"msticgo: " + missing + ": plugin folder does not exist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, code := runPluginsCLI(t, tt.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2\nstdout:\n%s\nstderr:\n%s", code, out, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			for _, want := range tt.lines {
				found := false
				for _, l := range lines {
					found = found || strings.HasPrefix(l, want)
				}
				if !found {
					t.Errorf("no stderr line starts with %q:\n%s", want, stderr)
				}
			}
			for _, l := range lines {
				if !strings.HasPrefix(l, "msticgo: ") && !strings.HasPrefix(l, "level=") {
					t.Errorf("stderr line %q is not a one-line msticgo error", l)
				}
			}
		})
	}
	// The good plugin of the bad folder was still tested.
	out, _, _ := runPluginsCLI(t, "-o", "json", "plugins", "test", bad)
	if r := rowByName(jsonRows(t, out), "FineOne"); r == nil || r["status"] != "found" {
		t.Errorf("FineOne %v", r)
	}
}

// TestPluginsListReportsOverride: a plugin that replaces a built-in with
// override: true says so in plugins list and providers list; without it,
// the clash is an error row naming both sources and the built-in stays.
func TestPluginsListReportsOverride(t *testing.T) {
	dir := t.TempDir()
	const def = "kind: ti\nprovider_name: VirusTotal\nbase_url: https://vt.example\nqueries:\n  ipv4: {path: '/ip/{observable}'}\nresult:\n  found: 'status == 200'\n"
	os.WriteFile(filepath.Join(dir, "vt.yaml"), []byte(def+"override: true\n"), 0o644)
	out, stderr, code := runPluginsCLI(t, "--plugins", dir, "-o", "json", "plugins", "list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if r := rowByName(jsonRows(t, out), "VirusTotal"); r == nil || r["state"] != "loaded (overrides builtin)" {
		t.Errorf("VirusTotal row %v", r)
	}
	out, _, _ = runPluginsCLI(t, "--plugins", dir, "-o", "json", "providers", "list", "--kind", "ti")
	if r := rowByName(jsonRows(t, out), "VirusTotal"); r == nil || !strings.Contains(fmt.Sprint(r["status"]), "overrides builtin") {
		t.Errorf("providers list VirusTotal row %v", r)
	}
	os.WriteFile(filepath.Join(dir, "vt.yaml"), []byte(def), 0o644)
	out, stderr, code = runPluginsCLI(t, "--plugins", dir, "-o", "json", "plugins", "list")
	if code != 2 || !strings.Contains(out, "clashes with the one already registered from builtin") || !strings.Contains(out, filepath.Join(dir, "vt.yaml")) {
		t.Errorf("exit %d\n%s\n%s", code, out, stderr)
	}
}

// TestPluginQueryFilesJoinTheStore: the query files of plugin folders
// (--plugins and PluginFolders) join the query store, and the plugin
// definitions beside them are not mistaken for broken query files.
func TestPluginQueryFilesJoinTheStore(t *testing.T) {
	abs, _ := filepath.Abs(scenarioStar)
	dir := t.TempDir()
	copyDir(t, abs, filepath.Join(dir, "plugins"))
	cfg := filepath.Join(dir, "msticpyconfig.yaml")
	os.WriteFile(cfg, []byte("PluginFolders: plugins\n"), 0o644)
	for _, args := range [][]string{
		{"--plugins", abs, "-o", "json", "query", "list"},
		{"--config", cfg, "-o", "json", "query", "list"},
	} {
		out, stderr, code := runPluginsCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		if strings.Contains(stderr, "WARN") {
			t.Errorf("%v: warnings:\n%s", args, stderr)
		}
		var names []string
		for _, r := range jsonRows(t, out) {
			names = append(names, fmt.Sprint(r["query"]))
		}
		all := strings.Join(names, " ")
		if !strings.Contains(all, "CustomSQL.accessibility_persistence") || !strings.Contains(all, "Custom.file_path") {
			t.Errorf("%v: plugin queries missing: %s", args, all)
		}
	}
	out, stderr, code := runPluginsCLI(t, "--plugins", abs, "-o", "json", "query", "run", "--env", "SQLProdProvider", "CustomSQL.accessibility_persistence")
	if code != 0 || !strings.Contains(out, `"A":"SQLProdProvider"`) || !strings.Contains(out, "sethc.exe") {
		t.Errorf("query run: exit %d\n%s\n%s", code, out, stderr)
	}
}

// TestPluginsTestExpect: a test with expect: passes only with that status
// (found, not_found / "not found", ...); a mismatch says what was wanted
// and makes the exit code 3.
func TestPluginsTestExpect(t *testing.T) {
	const script = "PROVIDER_NAME = 'Expecting'\nTEST_DATA = [%s]\ndef lookup(ioc, t, s):\n    return None if ioc == '1.1.1.1' else {'found': True}\n"
	tests := []struct {
		name, data string
		code       int
		detail     string // in the failing row
	}{
		{"all as expected", "{'ioc': '1.1.1.1', 'ioc_type': 'ipv4', 'expect': 'not_found'}, {'ioc': '2.2.2.2', 'ioc_type': 'ipv4', 'expect': 'found'}", 0, ""},
		{"spelled with a space", "{'ioc': '1.1.1.1', 'ioc_type': 'ipv4', 'expect': 'not found'}", 0, ""},
		{"no expect: any OK status", "{'ioc': '1.1.1.1', 'ioc_type': 'ipv4'}", 0, ""},
		{"found expected, not found", "{'ioc': '1.1.1.1', 'ioc_type': 'ipv4', 'expect': 'found'}", 3, "want found"},
		{"not found expected, found", "{'ioc': '2.2.2.2', 'ioc_type': 'ipv4', 'expect': 'not_found'}", 3, "want not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "expect.star"), []byte(fmt.Sprintf(script, tt.data)), 0o644)
			out, stderr, code := runPluginsCLI(t, "-o", "json", "plugins", "test", dir)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s\n%s", code, tt.code, out, stderr)
			}
			if tt.detail != "" && !strings.Contains(out, tt.detail) {
				t.Errorf("output lacks %q:\n%s", tt.detail, out)
			}
		})
	}
}

// TestPluginsTestNotConfiguredIsSkipped: the documented `plugins test
// examples/plugins` passes with no keys (the plugins that need an AuthKey
// are "skipped: not configured"), and so does a plugin that raises
// ConfigError itself; a real failure still exits 3.
func TestPluginsTestNotConfiguredIsSkipped(t *testing.T) {
	if _, err := osexec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	sdk, err := filepath.Abs("../../sdk/python")
	if err != nil {
		t.Fatal(err)
	}
	own := t.TempDir()
	pdir := filepath.Join(own, "cfgerr")
	os.MkdirAll(pdir, 0o755)
	os.WriteFile(filepath.Join(pdir, "plugin.yaml"), []byte(`schema: 1
kind: ti
provider_name: CfgErr
protocol: [1]
command: [python3, p.py]
env: {PYTHONPATH: "`+sdk+`"}
ioc_types: [ipv4]
test_data: [{ioc: 20.1.2.3, ioc_type: ipv4}]
`), 0o644)
	os.WriteFile(filepath.Join(pdir, "p.py"), []byte(`from msticgo_plugin import ConfigError, TIProvider, serve
class P(TIProvider):
    PROVIDER_NAME = "CfgErr"
    def lookup(self, ioc, ioc_type, query_subtype=None):
        raise ConfigError("no tenant set")
serve(P)
`), 0o644)
	failing := t.TempDir()
	os.WriteFile(filepath.Join(failing, "f.star"), []byte(`PROVIDER_NAME = "Failing"
TEST_DATA = [{"ioc": "20.1.2.3", "ioc_type": "ipv4"}]
def lookup(ioc, ioc_type, settings):
    return {"status": "error", "message": "boom"}
`), 0o644)
	tests := []struct {
		name string
		dir  string
		code int
		want map[string][2]string // name → status, detail prefix
	}{
		{"examples", "../../examples/plugins", 0, map[string][2]string{
			"AcmeIntel":      {"skipped", "not configured: missing required setting AuthKey"},
			"AcmeIntelPy":    {"skipped", "not configured: missing required setting AuthKey"},
			"AcmeReputation": {"skipped", "not configured: missing required setting AuthKey"},
			"SQLite":         {"ok", "3 row(s)"},
		}},
		{"ConfigError", own, 0, map[string][2]string{"CfgErr": {"skipped", "not configured"}}},
		{"real failure", failing, 3, map[string][2]string{"Failing": {"provider error", "boom"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			empty := filepath.Join(t.TempDir(), "msticpyconfig.yaml")
			os.WriteFile(empty, []byte("# nothing\n"), 0o644)
			out, stderr, code := runPluginsCLI(t, "--config", empty, "-o", "json", "plugins", "test", tc.dir)
			if code != tc.code {
				t.Errorf("exit %d, want %d: %s\n%s", code, tc.code, stderr, out)
			}
			rows := jsonRows(t, out)
			for name, w := range tc.want {
				r := rowByName(rows, name)
				if r == nil || r["status"] != w[0] || !strings.HasPrefix(fmt.Sprint(r["detail"]), w[1]) {
					t.Errorf("%s: %v; want %s %q…", name, r, w[0], w[1])
				}
			}
		})
	}
}
