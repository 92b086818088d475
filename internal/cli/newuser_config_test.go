package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/msticgo/msticgo/internal/testcorpus"
)

// Findings of the new-user review about config validate: it must report
// what makes a later command fail, each problem once, with one severity.
func TestNewUserConfigValidate(t *testing.T) {
	tests := []struct {
		name     string
		config   string
		env      map[string]string
		wantCode int
		want     []string // substrings of stdout
		notWant  []string // substrings of stdout+stderr
	}{
		{
			name:     "unknown provider type (a warning: the entry is not configured, as MSTICPy skips it)",
			config:   "TIProviders:\n  Bogus:\n    Provider: NoSuchProviderType\n    Primary: True\n",
			wantCode: 0,
			want:     []string{"warning", "TIProviders.Bogus.Provider", `unknown ti provider type "NoSuchProviderType"`, "not configured"},
		},
		{
			name:     "provider type typo suggests",
			config:   "TIProviders:\n  VT:\n    Provider: VirusTotl\n    Args: {AuthKey: k}\n",
			wantCode: 0,
			want:     []string{`did you mean "VirusTotal"?`},
		},
		{
			name:     "misspelled section",
			config:   "TIProvider:\n  Feeds:\n    Primary: True\n",
			wantCode: 0,
			want:     []string{"warning", "TIProvider ", "did you mean TIProviders?"},
		},
		{
			name:     "misspelled entry key",
			config:   "TIProviders:\n  Feeds:\n    Primry: True\n",
			wantCode: 0,
			want:     []string{"TIProviders.Feeds.Primry", "did you mean Primary?"},
		},
		{
			name:     "unset variable once, as a warning, at the key's line",
			config:   "TIProviders:\n  Feeds:\n    Primary: True\n  VirusTotal:\n    Args:\n      AuthKey:\n        EnvironmentVar: SOME_UNSET_VAR\n",
			wantCode: 0,
			want:     []string{"warning", "6  TIProviders.VirusTotal.Args.AuthKey", "SOME_UNSET_VAR is not set"},
			notWant:  []string{"error", "7  TIProviders"},
		},
		{
			name:     "key vault reference: not configured, no VaultName demanded",
			config:   "TIProviders:\n  OTX:\n    Args:\n      AuthKey:\n        KeyVault: otx\n",
			wantCode: 0,
			want:     []string{"Key Vault references are not supported yet; the provider is not configured"},
			notWant:  []string{"VaultName", "error"},
		},
		{
			name:     "empty literal key is not configured (warning)",
			config:   "TIProviders:\n  OTX:\n    Args:\n      AuthKey: \"\"\n",
			wantCode: 0,
			want:     []string{"warning", "missing or empty AuthKey (required by OTX); the provider is not configured"},
		},
		{
			name:     "MSTICPy provider type msticgo lacks is a warning",
			config:   "TIProviders:\n  AzureSentinel:\n    Provider: AzSTI\n    Primary: True\n",
			wantCode: 0,
			want:     []string{"warning", `MSTICPy provider type "AzSTI" is not available in msticgo`},
		},
		{
			name:     "MSTICPy-only sections and no-load entries are fine",
			config:   "AzureCLI:\n  Args: {auth_methods: [cli]}\nPlugins:\n  TIProviders: []\nTIProviders:\n  X:\n    Provider: --no-load--\n    Primary: True\n",
			wantCode: 0,
			want:     []string{"no problems found"},
		},
		{
			name:     "PluginFolders number is a wrong type",
			config:   "PluginFolders: 42\n",
			wantCode: 2,
			want:     []string{"PluginFolders", "expected a folder name or a list of them, got a number"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := writeConfig(t, tt.config)
			r := run(t, tt.env, "--config", cfg, "config", "validate", "--max-width", "-1")
			if r.code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(r.stdout+r.stderr, w) {
					t.Errorf("output has %q:\n%s\n%s", w, r.stdout, r.stderr)
				}
			}
			if strings.Contains(r.stderr, "level=WARN") {
				t.Errorf("validate repeats the load warning on stderr: %s", r.stderr)
			}
		})
	}
}

// The summary count equals the error rows of the table, and the load
// warning of other commands names the same errors with their lines.
func TestNewUserConfigCountsAgree(t *testing.T) {
	cfg := writeConfig(t, "TIProviders: \"oops\"\nContextProviders: 3\nTIProviders2: {}\n")
	r := run(t, nil, "--config", cfg, "config", "validate", "-o", "csv")
	rows := strings.Count(r.stdout, "\nerror,")
	if rows != 2 || !strings.Contains(r.stderr, "2 problem(s) to fix") {
		t.Errorf("want 2 error rows and a count of 2; stdout:\n%s\nstderr: %s", r.stdout, r.stderr)
	}
	r = run(t, nil, "--config", cfg, "ti", "providers")
	for _, w := range []string{"has 2 error(s)", "TIProviders (line 1)", "ContextProviders (line 2)"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("load warning lacks %q: %s", w, r.stderr)
		}
	}
}

// Real MSTICPy configs: no warning about sections or entry keys (they are
// all MSTICPy's), whatever else they report.
func TestNewUserConfigCorpusNoBogusWarnings(t *testing.T) {
	dir := testcorpus.Path(t, "config")
	files, _ := filepath.Glob(filepath.Join(dir, "msticpyconfig*.yaml"))
	if len(files) == 0 {
		t.Fatal("no corpus configs")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := run(t, nil, "--config", f, "config", "validate", "--max-width", "-1")
			for _, bad := range []string{"unknown section", "unknown key", "VaultName", "did you mean"} {
				if strings.Contains(r.stdout, bad) {
					t.Errorf("%q reported:\n%s", bad, r.stdout)
				}
			}
		})
	}
}

// A Provider type that a loaded plugin registers is known to validate;
// without the plugin it is an unknown type.
func TestNewUserConfigValidatePluginType(t *testing.T) {
	dir := t.TempDir()
	plug := `kind: ti
provider_name: AcmeIntel
base_url: https://intel.acme.example/api
settings:
  - {name: AuthKey, required: true, secret: true}
queries:
  ipv4: {path: "/ip/{observable}"}
result:
  found: 'status == 200'
`
	if err := os.WriteFile(filepath.Join(dir, "acme.yaml"), []byte(plug), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, "TIProviders:\n  Acme:\n    Provider: AcmeIntel\n    Args: {AuthKey: k}\n")
	r := run(t, nil, "--config", cfg, "--plugins", dir, "config", "validate")
	if r.code != 0 || !strings.Contains(r.stdout, "no problems found") {
		t.Errorf("with the plugin: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, nil, "--config", cfg, "config", "validate", "--strict")
	if r.code != 2 || !strings.Contains(r.stdout, `unknown ti provider type "AcmeIntel"`) {
		t.Errorf("without the plugin: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// Likely typos change what a config does without an error: every command
// says so in one line, validate in its table only.
func TestNewUserConfigTypoWarnedOnLoad(t *testing.T) {
	cfg := writeConfig(t, "TIProviders:\n  Feeds:\n    Primry: True\n")
	r := run(t, nil, "--config", cfg, "ti", "providers")
	want := `likely typo: TIProviders.Feeds.Primry (line 3): did you mean Primary?`
	if strings.Count(r.stderr, want) != 1 {
		t.Errorf("stderr %q lacks one %q", r.stderr, want)
	}
	if r := run(t, nil, "--config", cfg, "config", "validate"); strings.Contains(r.stderr, "likely typo") {
		t.Errorf("validate repeats it on stderr: %q", r.stderr)
	}
}
