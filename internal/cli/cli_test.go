package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/cobra"

	"github.com/msticgo/msticgo/registry"
)

// result is one in-process run of the CLI.
type result struct {
	code           int
	stdout, stderr string
}

// run runs msticgo in-process with an isolated environment: env is the
// whole environment (HOME points at an empty folder unless given).
func run(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	e := map[string]string{"HOME": t.TempDir()}
	for k, v := range env {
		e[k] = v
	}
	var out, errb bytes.Buffer
	code := Run(context.Background(), Env{
		Args: args, Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return e[k] },
	})
	return result{code, out.String(), errb.String()}
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "msticpyconfig.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// testErr is what the hidden test command returns.
var testErr error

var addCommandOnce sync.Once

func init() {
	addCommand(func(a *App) *cobra.Command {
		return &cobra.Command{
			Use:    "zz-test-fail",
			Hidden: true,
			Args:   cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				if _, err := a.Config(); err != nil {
					return err
				}
				bound := a.Logger().With("early", "bound-before-config "+secretLiteral)
				if _, err := a.Config(); err != nil {
					return err
				}
				bound.Warn("late-bound attribute")
				for _, s := range a.Secrets() {
					// a careless provider logging and failing with a secret
					a.Logger().Error("request failed", "url", "https://api.example/?key="+s, "attempt", 1)
					a.Logger().Warn("retrying with key " + s)
				}
				if testErr == nil {
					var secs []string
					secs = append(secs, a.Secrets()...)
					return fmt.Errorf("lookup failed for https://api.example/?key=%s", strings.Join(secs, ","))
				}
				return testErr
			},
		}
	})
}

const secretLiteral = "LiteralSecret-9f8e7d"
const secretEnv = "EnvSecret-1a2b3c"
const digitSecret = "0012345"

func secretConfig(t *testing.T) string {
	return writeConfig(t, `TIProviders:
  VirusTotal:
    Primary: true
    Args:
      AuthKey: `+secretLiteral+`
  OTX:
    Args:
      AuthKey:
        EnvironmentVar: HUNT_OTX_KEY
  XForce:
    Args:
      ApiID: `+digitSecret+`
      AuthKey:
        EnvironmentVar: HUNT_XF_KEY
ContextProviders:
  ServiceNow:
    Args:
      password: `+secretLiteral+`-pw
`)
}

func TestSecretsNeverShown(t *testing.T) {
	cfg := secretConfig(t)
	env := map[string]string{"HUNT_OTX_KEY": "  " + secretEnv + " "}
	runs := [][]string{
		{"--config", cfg, "config", "show"},
		{"--config", cfg, "config", "validate"},
		{"--config", cfg, "providers", "list"},
		{"--config", cfg, "-o", "json", "providers", "list"},
		{"--config", cfg, "-o", "csv", "config", "validate"},
		{"--config", cfg, "--log-level", "debug", "zz-test-fail"},
		{"--config", cfg, "providers", "list", "--kind", secretLiteral},
		{"--config", cfg, "no-such-" + secretLiteral},
	}
	for _, args := range runs {
		t.Run(strings.Join(args[2:], " "), func(t *testing.T) {
			r := run(t, env, args...)
			for _, s := range []string{secretLiteral, secretEnv, digitSecret} {
				if strings.Contains(r.stdout, s) || strings.Contains(r.stderr, s) {
					t.Errorf("secret %q shown (exit %d)\nstdout:\n%s\nstderr:\n%s", s, r.code, r.stdout, r.stderr)
				}
			}
		})
	}
	// and the runs did what they should
	r := run(t, env, "--config", cfg, "zz-test-fail")
	if r.code != ExitRuntime || !strings.Contains(r.stderr, "msticgo: lookup failed for https://api.example/?key=***") || !strings.Contains(r.stderr, `url="https://api.example/?key=***"`) {
		t.Errorf("failing command: exit %d, stderr:\n%s", r.code, r.stderr)
	}
	r = run(t, env, "--config", cfg, "config", "show")
	if r.code != 0 || strings.Count(r.stdout, "***") < 4 || !strings.Contains(r.stdout, "from environment variable HUNT_OTX_KEY") || !strings.Contains(r.stdout, "environment variable HUNT_XF_KEY not set") {
		t.Errorf("config show: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestPanicIsRedactedAndOneLine(t *testing.T) {
	cfg := secretConfig(t)
	testErr = nil
	addCommandOnce.Do(func() {
		addCommand(func(a *App) *cobra.Command {
			return &cobra.Command{Use: "zz-test-panic", Hidden: true, RunE: func(*cobra.Command, []string) error {
				_, _ = a.Config()
				panic("boom with " + secretLiteral + "\nsecond line")
			}}
		})
	})
	r := run(t, nil, "--config", cfg, "zz-test-panic")
	if r.code != ExitRuntime || strings.Contains(r.stderr, secretLiteral) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("panic: exit %d stderr %q", r.code, r.stderr)
	}
}

func TestExitCodes(t *testing.T) {
	cfg := secretConfig(t)
	bad := writeConfig(t, "TIProviders: nope\n")
	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		code       int
		wantStderr string
	}{
		{"version", nil, []string{"version"}, 0, ""},
		{"help", nil, []string{"--help"}, 0, ""},
		{"unknown command with suggestion", nil, []string{"verison"}, 2, `msticgo: unknown command "verison" for "msticgo" (did you mean "version"?)`},
		{"unknown sub-command", nil, []string{"config", "shwo"}, 2, `unknown command "shwo" for "msticgo config" (did you mean "show"? commands: path, show, validate)`},
		{"unknown flag", nil, []string{"version", "--bogus"}, 2, "msticgo: unknown flag: --bogus"},
		{"extra argument", nil, []string{"version", "x"}, 2, `version takes no arguments; unexpected "x"`},
		{"bad output format", nil, []string{"-o", "xml", "version"}, 2, "msticgo: -o/--output: unknown output format \"xml\""},
		{"bad log level", nil, []string{"--log-level", "loud", "version"}, 2, "--log-level: unknown level"},
		{"bad MSTICGO_NOW", map[string]string{"MSTICGO_NOW": "yesterday"}, []string{"version"}, 2, "MSTICGO_NOW"},
		{"good MSTICGO_NOW", map[string]string{"MSTICGO_NOW": "2024-03-01T12:00:00Z"}, []string{"version"}, 0, ""},
		{"missing --config", nil, []string{"--config", "/nonexistent/x.yaml", "providers", "list"}, 2, "msticgo: config file /nonexistent/x.yaml (from --config)"},
		{"missing MSTICPYCONFIG", map[string]string{"MSTICPYCONFIG": "/nonexistent/env.yaml"}, []string{"config", "show"}, 2, "/nonexistent/env.yaml (from MSTICPYCONFIG)"},
		{"missing config does not matter for version", map[string]string{"MSTICPYCONFIG": "/nonexistent/env.yaml"}, []string{"version"}, 0, ""},
		{"validate with errors", nil, []string{"--config", bad, "config", "validate"}, 2, "1 problem(s) to fix"},
		{"validate unset env var is a warning", nil, []string{"--config", cfg, "config", "validate"}, 0, ""},
		{"validate unset env var --strict", nil, []string{"--config", cfg, "config", "validate", "--strict"}, 2, "problem(s) to fix"},
		{"bad --kind", nil, []string{"providers", "list", "--kind", "bogus"}, 2, "--kind: unknown provider kind"},
		{"runtime error", nil, []string{"--config", cfg, "zz-test-fail"}, 1, "msticgo: lookup failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testErr = nil
			r := run(t, tt.env, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:%s\nstderr:%s", r.code, tt.code, r.stdout, r.stderr)
			}
			if tt.wantStderr != "" && !strings.Contains(r.stderr, tt.wantStderr) {
				t.Errorf("stderr %q lacks %q", r.stderr, tt.wantStderr)
			}
			if tt.code != 0 {
				for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
					if !strings.HasPrefix(line, "msticgo: ") && !strings.HasPrefix(line, "level=") {
						t.Errorf("stderr line %q is not a one-line msticgo error", line)
					}
				}
			}
		})
	}
}

func TestExitCodeMapping(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.New("x"), 1},
		{UsageError(errors.New("x")), 2},
		{fmt.Errorf("wrapped: %w", UsageErrorf("bad %s", "y")), 2},
		{fmt.Errorf("2 of 5 failed: %w", ErrPartial), 3},
		{UsageError(nil), 0},
	}
	for _, tt := range tests {
		if got := ExitCode(tt.err); got != tt.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
	testErr = fmt.Errorf("1 of 3 lookups failed: %w", ErrPartial)
	defer func() { testErr = nil }()
	r := run(t, nil, "zz-test-fail")
	if r.code != 3 || !strings.Contains(r.stderr, "msticgo: 1 of 3 lookups failed") {
		t.Errorf("partial: exit %d stderr %q", r.code, r.stderr)
	}
}

func TestEmbeddedDefaultsNoticeOnce(t *testing.T) {
	r := run(t, nil, "providers", "list")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if n := strings.Count(r.stderr, "using built-in defaults"); n != 1 {
		t.Errorf("notice printed %d times:\n%s", n, r.stderr)
	}
	r = run(t, nil, "--log-level", "warn", "providers", "list")
	if strings.Contains(r.stderr, "built-in defaults") {
		t.Errorf("notice shown at warn level: %s", r.stderr)
	}
	r = run(t, nil, "config", "show")
	if !strings.Contains(r.stdout, "built-in defaults (embedded)") {
		t.Errorf("config show on defaults:\n%s", r.stdout)
	}
	r = run(t, nil, "config", "validate")
	if r.code != 0 || !strings.Contains(r.stdout, "no problems found") {
		t.Errorf("validate defaults: %d %s %s", r.code, r.stdout, r.stderr)
	}
}

func TestConfigFoundInHome(t *testing.T) {
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".msticpy"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".msticpy", "msticpyconfig.yaml"), []byte("TIProviders:\n  HomeTI:\n    Args: {AuthKey: abcd}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := run(t, map[string]string{"HOME": home}, "-o", "json", "config", "path")
	if r.code != 0 || !strings.Contains(r.stdout, `"from":"~/.msticpy/msticpyconfig.yaml"`) && !strings.Contains(r.stdout, `"from": "~/.msticpy/msticpyconfig.yaml"`) {
		t.Errorf("config path: %d %s %s", r.code, r.stdout, r.stderr)
	}
}

// withHook installs a registry hook for one test.
func withHook(t *testing.T, h func(a *App, r *registry.Registry) error) {
	old := registryHooks
	registryHooks = append(append([]func(*App, *registry.Registry) error(nil), old...), h)
	t.Cleanup(func() { registryHooks = old })
}

func nopFactory(context.Context, registry.FactoryArgs) (any, error) { return struct{}{}, nil }

func TestProvidersListMergesRegistryAndConfig(t *testing.T) {
	withHook(t, func(a *App, r *registry.Registry) error {
		for _, reg := range []registry.Registration{
			{Kind: registry.KindTI, Name: "ZzVirusTotal", Aliases: []string{"ZzVT"}, Source: registry.PluginSource("/p/vt.yaml"), Factory: nopFactory, Description: "VT lookups"},
			{Kind: registry.KindTI, Name: "ZzOTX", Source: registry.Builtin, Factory: nopFactory},
			{Kind: registry.KindData, Name: "ZzSQLTestProvider", Aliases: []string{"ZzSQLProdProvider"}, Source: registry.PluginSource("/p/data_prov.py"), Factory: nopFactory},
		} {
			if err := r.Register(reg); err != nil {
				return err
			}
		}
		return nil
	})
	cfg := writeConfig(t, `TIProviders:
  ZzVirusTotal:
    Primary: true
    Args: {AuthKey: k-1234}
  VT-Second:
    Provider: zzvt
    Args:
      AuthKey: {EnvironmentVar: HUNT_VT_KEY}
  ZzOTX:
    Args:
      AuthKey: {EnvironmentVar: HUNT_OTX_KEY}
  Mystery:
    Args: {AuthKey: k-5678}
`)
	r := run(t, map[string]string{"HUNT_OTX_KEY": "otx-abcdef"}, "--config", cfg, "-o", "json", "providers", "list")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var rows []map[string]string
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	got := map[string]map[string]string{}
	for _, row := range rows {
		got[row["kind"]+"/"+row["name"]] = row
	}
	checks := []struct{ key, field, want string }{
		{"ti/ZzVirusTotal", "status", "configured (primary)"},
		{"ti/ZzVirusTotal", "aliases", "ZzVT"},
		{"ti/ZzVirusTotal", "source", "plugin:/p/vt.yaml; config msticpyconfig.yaml:2"},
		{"ti/VT-Second", "status", "not configured: HUNT_VT_KEY not set"},
		{"ti/VT-Second", "provider", "ZzVirusTotal"},
		{"ti/ZzOTX", "status", "configured"},
		{"ti/Mystery", "status", "unknown provider type Mystery"},
		{"data/ZzSQLTestProvider", "aliases", "ZzSQLProdProvider"},
		{"data/ZzSQLTestProvider", "status", "registered"},
	}
	for _, c := range checks {
		if got[c.key][c.field] != c.want {
			t.Errorf("%s %s = %q, want %q", c.key, c.field, got[c.key][c.field], c.want)
		}
	}
	// --kind filters
	r = run(t, nil, "--config", cfg, "-o", "csv", "providers", "list", "--kind", "data")
	if strings.Contains(r.stdout, "ZzVirusTotal") || !strings.Contains(r.stdout, "ZzSQLTestProvider") {
		t.Errorf("--kind data:\n%s", r.stdout)
	}
}

func TestRegistryHookErrorIsReported(t *testing.T) {
	withHook(t, func(a *App, r *registry.Registry) error {
		return UsageErrorf("plugin /p/bad.yaml line 3: no name")
	})
	r := run(t, nil, "providers", "list")
	if r.code != 2 || !strings.Contains(r.stderr, "msticgo: plugin /p/bad.yaml line 3: no name") {
		t.Errorf("exit %d stderr %q", r.code, r.stderr)
	}
}

func TestOutputFormats(t *testing.T) {
	for _, f := range []string{"table", "json", "ndjson", "csv"} {
		r := run(t, nil, "-o", f, "version")
		if r.code != 0 || !strings.Contains(r.stdout, "dev") {
			t.Errorf("-o %s: %d %q %q", f, r.code, r.stdout, r.stderr)
		}
	}
}

func TestCompletion(t *testing.T) {
	for _, sh := range []string{"bash", "zsh", "fish", "powershell"} {
		r := run(t, nil, "completion", sh)
		if r.code != 0 || !strings.Contains(r.stdout, "msticgo") {
			t.Errorf("completion %s: exit %d", sh, r.code)
		}
	}
}
