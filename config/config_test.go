package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/msticgo/msticgo/internal/testcorpus"
)

// envMap is a Getenv backed by a map (tests never touch the process env).
func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func mustParse(t *testing.T, text string, env map[string]string) *Config {
	t.Helper()
	c, err := Parse([]byte(text), "", envMap(env))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}

func problemsText(ps []Problem) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.String())
	}
	return strings.Join(out, "\n")
}

func TestEmptyAndNullFormsLoad(t *testing.T) {
	tests := []struct{ name, text string }{
		{"empty file", ""},
		{"only a comment", "# nothing here\n"},
		{"only whitespace", "\n\n   \n"},
		{"null document", "~\n"},
		{"Azure empty mapping", "Azure: {}\n"},
		{"Azure null", "Azure:\n"},
		{"TIProviders empty mapping", "TIProviders: {}\n"},
		{"TIProviders null", "TIProviders:\n"},
		{"every section null", "TIProviders:\nContextProviders:\nDataProviders:\nOtherProviders:\nPluginFolders:\nQueryDefinitions:\nUserDefaults:\nAzureSentinel:\nKeyVault:\nAzure:\nmsticpy:\n"},
		{"every section empty", "TIProviders: {}\nDataProviders: {}\nPluginFolders: []\nQueryDefinitions: {}\nAzureSentinel: {}\nKeyVault: {}\nmsticpy: {}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, tt.text, nil)
			if len(c.Problems) != 0 {
				t.Errorf("problems for %q:\n%s", tt.text, problemsText(c.Problems))
			}
			if len(c.TIProviders)+len(c.DataProviders)+len(c.PluginFolders) != 0 {
				t.Errorf("defaults not empty: %+v", c)
			}
			if _, err := c.RedactedYAML(); err != nil {
				t.Errorf("RedactedYAML: %v", err)
			}
		})
	}
}

func TestPluginFoldersScalarOrList(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "msticpyconfig.yaml")
	home, _ := os.UserHomeDir()
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"single string", "PluginFolders: plugins\n", []string{filepath.Join(dir, "plugins")}},
		{"list", "PluginFolders:\n  - a\n  - /abs/b\n", []string{filepath.Join(dir, "a"), "/abs/b"}},
		{"flow list", "PluginFolders: [a, ../b]\n", []string{filepath.Join(dir, "a"), filepath.Join(filepath.Dir(dir), "b")}},
		{"home", "PluginFolders: ~/plug\n", []string{filepath.Join(home, "plug")}},
		{"null", "PluginFolders:\n", nil},
		{"empty string", "PluginFolders: ''\n", nil},
		{"null item skipped", "PluginFolders: [a, ~]\n", []string{filepath.Join(dir, "a")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.text), cfgPath, envMap(nil))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(c.PluginFolders, "|") != strings.Join(tt.want, "|") {
				t.Errorf("PluginFolders = %q, want %q", c.PluginFolders, tt.want)
			}
			if len(c.Problems) != 0 {
				t.Errorf("problems: %s", problemsText(c.Problems))
			}
			if c.Dir() != dir {
				t.Errorf("Dir() = %q, want %q", c.Dir(), dir)
			}
		})
	}
	// QueryDefinitions follow the same rule.
	c, err := Parse([]byte("QueryDefinitions:\n  Default: queries\n  Custom: [q1, /abs/q2]\n"), cfgPath, envMap(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.QueryDefinitions; strings.Join(got.Default, "|") != filepath.Join(dir, "queries") || strings.Join(got.Custom, "|") != filepath.Join(dir, "q1")+"|/abs/q2" {
		t.Errorf("QueryDefinitions = %+v", got)
	}
	// Embedded defaults: relative to the working folder (unchanged).
	c = mustParse(t, "PluginFolders: rel\n", nil)
	if len(c.PluginFolders) != 1 || c.PluginFolders[0] != "rel" || c.Dir() != "" {
		t.Errorf("no-path config: PluginFolders=%q Dir=%q", c.PluginFolders, c.Dir())
	}
}

func TestWrongShapes(t *testing.T) {
	const secretish = "s3cr3t-value-never-echoed"
	tests := []struct {
		name     string
		text     string
		wantPath string
		wantLine int
		check    func(t *testing.T, c *Config)
	}{
		{
			name:     "string where a provider mapping is expected",
			text:     "TIProviders: " + secretish + "\nPluginFolders: [p]\nDataProviders:\n  LocalData: {}\n",
			wantPath: "TIProviders", wantLine: 1,
			check: func(t *testing.T, c *Config) {
				if len(c.PluginFolders) != 1 || len(c.DataProviders) != 1 {
					t.Errorf("other sections lost: %+v %+v", c.PluginFolders, c.DataProviders)
				}
			},
		},
		{
			name:     "entry is a string",
			text:     "TIProviders:\n  VirusTotal: " + secretish + "\n  OTX:\n    Args:\n      AuthKey: k1234\n",
			wantPath: "TIProviders.VirusTotal", wantLine: 2,
			check: func(t *testing.T, c *Config) {
				if len(c.TIProviders) != 1 || c.TIProviders[0].Name != "OTX" {
					t.Errorf("other entries lost: %+v", c.TIProviders)
				}
			},
		},
		{
			name:     "Args is a list",
			text:     "TIProviders:\n  OTX:\n    Primary: true\n    Args:\n      - " + secretish + "\n",
			wantPath: "TIProviders.OTX.Args", wantLine: 5,
			check: func(t *testing.T, c *Config) {
				if len(c.TIProviders) != 1 || !c.TIProviders[0].Primary {
					t.Errorf("entry lost: %+v", c.TIProviders)
				}
			},
		},
		{
			name:     "PluginFolders is a mapping",
			text:     "PluginFolders:\n  a: " + secretish + "\nAzure: {cloud: global}\n",
			wantPath: "PluginFolders", wantLine: 2,
			check: func(t *testing.T, c *Config) {
				if c.Azure.Cloud != "global" {
					t.Errorf("Azure lost: %+v", c.Azure)
				}
			},
		},
		{
			name:     "AzureSentinel is a string",
			text:     "KeyVault: {VaultName: v}\nAzureSentinel: " + secretish + "\n",
			wantPath: "AzureSentinel", wantLine: 2,
			check: func(t *testing.T, c *Config) {
				if c.KeyVault == nil || c.KeyVault.VaultName != "v" {
					t.Errorf("KeyVault lost: %+v", c.KeyVault)
				}
			},
		},
		{
			name:     "Workspaces is a list",
			text:     "MSSentinel:\n  Workspaces: [" + secretish + "]\n",
			wantPath: "MSSentinel.Workspaces", wantLine: 2,
		},
		{
			name:     "Primary is not a boolean",
			text:     "TIProviders:\n  OTX:\n    Primary: " + secretish + "\n",
			wantPath: "TIProviders.OTX.Primary", wantLine: 3,
		},
		{
			name:     "QueryDefinitions is a list",
			text:     "QueryDefinitions: [" + secretish + "]\n",
			wantPath: "QueryDefinitions", wantLine: 1,
		},
		{
			name:     "top level is a list",
			text:     "- " + secretish + "\n",
			wantPath: "", wantLine: 1,
		},
		{
			name:     "msticpy is a string",
			text:     "msticpy: " + secretish + "\n",
			wantPath: "msticpy", wantLine: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.text), "cfg.yaml", envMap(nil))
			if err != nil {
				t.Fatal(err)
			}
			var found *Problem
			for i, p := range c.Problems {
				if p.Severity == SevError && p.Path == tt.wantPath {
					found = &c.Problems[i]
				}
				if strings.Contains(p.String(), secretish) {
					t.Errorf("problem echoes the value: %s", p)
				}
			}
			if found == nil {
				t.Fatalf("no error at %q; problems:\n%s", tt.wantPath, problemsText(c.Problems))
			}
			if found.Line != tt.wantLine {
				t.Errorf("line = %d, want %d (%s)", found.Line, tt.wantLine, found)
			}
			if !strings.HasPrefix(found.String(), "cfg.yaml:") {
				t.Errorf("problem %q does not name the file", found)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

func TestScalarSecretsAreRawText(t *testing.T) {
	text := `TIProviders:
  XForce:
    Args:
      AuthKey: 0012345
      ApiID: yes
      Octal: 0o17
      Float: 1.50
      Exp: 1e3
      Bool: True
      Off: off
      Quoted: "007"
      Hex: 0x1F
`
	c := mustParse(t, text, nil)
	e, ok := c.Entry("TIProviders", "xforce")
	if !ok {
		t.Fatal("XForce entry missing")
	}
	want := map[string]string{"AuthKey": "0012345", "ApiID": "yes", "Octal": "0o17", "Float": "1.50", "Exp": "1e3", "Bool": "True", "Off": "off", "Quoted": "007", "Hex": "0x1F"}
	for k, v := range want {
		s, ok := e.Arg(k)
		if !ok || s.Value != v || s.Raw != v {
			t.Errorf("%s = %+v, want raw text %q", k, s, v)
		}
	}
	vals, secret := e.Settings()
	if vals["AuthKey"] != "0012345" || !secret["AuthKey"] || !secret["ApiID"] || secret["Float"] {
		t.Errorf("Settings() = %v, secrets %v", vals, secret)
	}
	if e.Status != "" || !e.Configured() {
		t.Errorf("status %q", e.Status)
	}
}

func TestEnvironmentVarRule(t *testing.T) {
	text := `TIProviders:
  VirusTotal:
    Args:
      AuthKey:
        EnvironmentVar: HUNT_VT_KEY
  OTX:
    Args:
      AuthKey: literal-otx-key
`
	tests := []struct {
		name       string
		env        map[string]string
		wantValue  string
		wantStatus string
	}{
		{"set", map[string]string{"HUNT_VT_KEY": "abc123"}, "abc123", ""},
		{"unset", nil, "", "not configured: HUNT_VT_KEY not set"},
		{"empty", map[string]string{"HUNT_VT_KEY": ""}, "", "not configured: HUNT_VT_KEY not set"},
		{"only spaces", map[string]string{"HUNT_VT_KEY": "  \t "}, "", "not configured: HUNT_VT_KEY not set"},
		{"padded is trimmed", map[string]string{"HUNT_VT_KEY": "  abc123\n"}, "abc123", ""},
		{"digits kept as text", map[string]string{"HUNT_VT_KEY": "000123"}, "000123", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, text, tt.env)
			vt, _ := c.Entry("TIProviders", "VirusTotal")
			s, _ := vt.Arg("AuthKey")
			if s.Value != tt.wantValue || s.EnvVar != "HUNT_VT_KEY" || !s.Secret {
				t.Errorf("AuthKey = %+v, want value %q from HUNT_VT_KEY, secret", s, tt.wantValue)
			}
			if vt.Status != tt.wantStatus {
				t.Errorf("status = %q, want %q", vt.Status, tt.wantStatus)
			}
			// the other provider is unaffected
			otx, _ := c.Entry("TIProviders", "OTX")
			if otx.Status != "" || otx.Args[0].Value != "literal-otx-key" {
				t.Errorf("OTX affected: %+v", otx)
			}
			// an unset variable is reported once, as a warning (the provider
			// is not configured; the others are unaffected)
			var sevs []Severity
			for _, p := range c.Validate() {
				if strings.Contains(p.Message, "HUNT_VT_KEY") {
					sevs = append(sevs, p.Severity)
				}
			}
			if want := tt.wantStatus != ""; want != (len(sevs) == 1 && sevs[0] == SevWarning) || (!want && len(sevs) > 0) {
				t.Errorf("Validate reports HUNT_VT_KEY as %v, want one warning: %v", sevs, want)
			}
		})
	}
}

func TestKeyVaultAndOddReferences(t *testing.T) {
	text := `KeyVault:
  VaultName: myvault
TIProviders:
  VirusTotal:
    Args:
      AuthKey:
        KeyVault:
  XForce:
    Args:
      ApiID:
        KeyVault: myvault/XForce-ApiID
  Odd:
    Args:
      AuthKey:
        KeyVaultURI: https://example.vault/secret
  NoName:
    Args:
      AuthKey:
        EnvironmentVar:
  Listed:
    Provider: OTX
    Args:
      AuthKey: [Zq9SecretValue77, b]
`
	c := mustParse(t, text, nil)
	for name, want := range map[string]string{
		"VirusTotal": "not configured: AuthKey is a Key Vault reference (Key Vault is not supported yet)",
		"XForce":     "not configured: ApiID is a Key Vault reference (Key Vault is not supported yet)",
		"Odd":        "not configured: AuthKey is a mapping",
		"NoName":     "not configured: AuthKey has an EnvironmentVar reference with no variable name",
		"Listed":     "not configured: AuthKey must be a single value, not a list",
	} {
		e, ok := c.Entry("TIProviders", name)
		if !ok {
			t.Fatalf("%s missing", name)
		}
		if !strings.HasPrefix(e.Status, want) {
			t.Errorf("%s status = %q, want %q", name, e.Status, want)
		}
	}
	xf, _ := c.Entry("TIProviders", "XForce")
	if s, _ := xf.Arg("ApiID"); s.KeyVault != "myvault/XForce-ApiID" || !s.IsKeyVault {
		t.Errorf("XForce ApiID = %+v", s)
	}
	vt, _ := c.Entry("TIProviders", "VirusTotal")
	if s, _ := vt.Arg("AuthKey"); s.KeyVault != "default" {
		t.Errorf("empty KeyVault spec = %q, want default", s.KeyVault)
	}
}

func TestTwoEntriesOfOneType(t *testing.T) {
	text := `TIProviders:
  VT-Team:
    Provider: VirusTotal
    Primary: true
    Args:
      AuthKey: team-key-1111
  VT-Personal:
    Provider: VirusTotal
    Description: my own key
    Args:
      AuthKey:
        EnvironmentVar: MY_VT
  VirusTotal:
    Args:
      AuthKey: default-key-3333
`
	c := mustParse(t, text, map[string]string{"MY_VT": "personal-2222"})
	if len(c.TIProviders) != 3 {
		t.Fatalf("entries = %d", len(c.TIProviders))
	}
	want := []struct{ name, provider, key string }{
		{"VT-Team", "VirusTotal", "team-key-1111"},
		{"VT-Personal", "VirusTotal", "personal-2222"},
		{"VirusTotal", "VirusTotal", "default-key-3333"},
	}
	for i, w := range want {
		e := c.TIProviders[i]
		vals, secret := e.Settings()
		if e.Name != w.name || e.Provider != w.provider || vals["AuthKey"] != w.key || !secret["AuthKey"] {
			t.Errorf("entry %d = %+v (settings %v), want %+v", i, e, vals, w)
		}
	}
	if !c.TIProviders[0].Primary || c.TIProviders[1].Primary || c.TIProviders[1].Description != "my own key" {
		t.Errorf("per-entry settings mixed up: %+v", c.TIProviders)
	}
	secrets := strings.Join(c.Secrets(), "|")
	for _, s := range []string{"team-key-1111", "personal-2222", "default-key-3333"} {
		if !strings.Contains(secrets, s) {
			t.Errorf("Secrets() lacks %s", s)
		}
	}
}

func TestSentinelAliasAndWorkspaces(t *testing.T) {
	const ws = `
  Workspaces:
    Default:
      WorkspaceId: "52b1ab41-869e-4138-9e40-2a4457f09bf3"
      TenantId: "72f988bf-86f1-41af-91ab-2d7cd011db49"
      WorkspaceName: Main
    Other:
      WorkspaceId: "a927809c-8142-43e1-96b3-4ad87cfe95a3"
      TenantId: "69d28fd7-42a5-48bc-a619-af56397b9f28"
      Args:
        ClientSecret: cs-literal-9999
`
	for _, key := range []string{"AzureSentinel", "MSSentinel"} {
		t.Run(key, func(t *testing.T) {
			c := mustParse(t, key+":"+ws, nil)
			if c.Sentinel == nil || c.Sentinel.Key != key || len(c.Sentinel.Workspaces) != 2 {
				t.Fatalf("Sentinel = %+v", c.Sentinel)
			}
			if w, ok := c.Sentinel.Workspace(""); !ok || w.Name != "Default" {
				t.Errorf("default workspace = %+v", w)
			}
			if w, ok := c.Sentinel.Workspace("main"); !ok || w.Name != "Default" {
				t.Errorf("by WorkspaceName = %+v", w)
			}
			if w, ok := c.Sentinel.Workspace("A927809C-8142-43E1-96B3-4AD87CFE95A3"); !ok || w.Name != "Other" {
				t.Errorf("by id = %+v", w)
			}
			if _, ok := c.Sentinel.Workspace("nope"); ok {
				t.Error("unknown workspace found")
			}
			vals, secret := c.Sentinel.Workspaces[1].Settings()
			if vals["workspace_id"] != "a927809c-8142-43e1-96b3-4ad87cfe95a3" || !secret["ClientSecret"] {
				t.Errorf("workspace settings %v %v", vals, secret)
			}
			if len(c.Validate()) != 0 {
				t.Errorf("valid workspaces reported: %s", problemsText(c.Validate()))
			}
		})
	}
	c := mustParse(t, "AzureSentinel:"+ws+"MSSentinel:"+ws, nil)
	if c.Sentinel.Key != "AzureSentinel" || len(c.Problems) != 1 || c.Problems[0].Path != "MSSentinel" {
		t.Errorf("both keys: sentinel %q, problems:\n%s", c.Sentinel.Key, problemsText(c.Problems))
	}
}

func TestUnknownSectionsKeptAndMergeKeys(t *testing.T) {
	text := `defs:
  common: &common
    Region: west
    password: unknown-pass-4444
Custom:
  nested: [1, 2]
  <<: *common
TIProviders:
  GreyNoise:
    Args:
      <<: *common
      Extra: x
tiproviders: {}
`
	c := mustParse(t, text, nil)
	if _, ok := c.Unknown["Custom"]; !ok {
		t.Error("unknown section dropped")
	}
	gn, _ := c.Entry("TIProviders", "GreyNoise")
	if s, ok := gn.Arg("Region"); !ok || s.Value != "west" {
		t.Errorf("merge key not applied: %+v", gn.Args)
	}
	if s, ok := gn.Arg("password"); !ok || !s.Secret {
		t.Errorf("merged password not secret: %+v", s)
	}
	found := false
	for _, p := range c.Problems {
		if p.Path == "tiproviders" && strings.Contains(p.Message, "did you mean TIProviders") {
			found = true
		}
	}
	if !found {
		t.Errorf("no case hint for tiproviders: %s", problemsText(c.Problems))
	}
	out, err := c.RedactedYAML()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "unknown-pass-4444") {
		t.Errorf("secret in unknown section shown:\n%s", out)
	}
	if !strings.Contains(strings.Join(c.Secrets(), "|"), "unknown-pass-4444") {
		t.Errorf("Secrets() lacks the unknown section's password")
	}
}

func TestRedactedYAMLHidesEverySecret(t *testing.T) {
	text := `TIProviders:
  OTX:
    Args:
      AuthKey: 0012345
      ApiID: yes-id-value
  VirusTotal:
    Args:
      AuthKey:
        EnvironmentVar: HUNT_VT_KEY
      UserName: analyst
UserDefaults:
  Token: ud-token-5555
msticpy:
  http_timeout: [20, 5]
  Proxies:
    https: http://user:proxy-pass-6666@proxy:3128
`
	c := mustParse(t, text, map[string]string{"HUNT_VT_KEY": "env-secret-7777"})
	out, err := c.RedactedYAML()
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, secret := range []string{"0012345", "yes-id-value", "env-secret-7777", "ud-token-5555", "proxy-pass-6666"} {
		if strings.Contains(s, secret) {
			t.Errorf("secret %q shown:\n%s", secret, s)
		}
	}
	for _, want := range []string{"analyst", "Provider: OTX", "***", "HUNT_VT_KEY", "timeout: 20", "connect: 5"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	// the output is YAML that loads again
	if _, err := Parse(out, "", nil); err != nil {
		t.Errorf("shown config does not parse: %v", err)
	}
}

func TestHTTPTimeoutShapes(t *testing.T) {
	tests := []struct {
		text             string
		timeout, connect float64
	}{
		{"msticpy: {http_timeout: 1}", 1, 0},
		{"msticpy: {http_timeout: {connect: 30, timeout: 20}}", 20, 30},
		{"msticpy: {http_timeout: [20, 30]}", 20, 30},
		{"msticpy: {http_timeout: something_else}", 0, 0},
		{"msticpy: {http_timeout: -5}", 0, 0},
		{"msticpy: {http_timeout: }", 0, 0},
		{"http_timeout: 7", 7, 0},
		{"http_timeout: 7\nmsticpy: {http_timeout: 9}", 9, 0},
	}
	for _, tt := range tests {
		c := mustParse(t, tt.text, nil)
		if c.Msticpy.HTTPTimeout != tt.timeout || c.Msticpy.ConnectTimeout != tt.connect {
			t.Errorf("%q: timeout %v connect %v, want %v %v", tt.text, c.Msticpy.HTTPTimeout, c.Msticpy.ConnectTimeout, tt.timeout, tt.connect)
		}
	}
}

func TestValidateAllProblemsAtOnce(t *testing.T) {
	text := `AzureSentinel:
  Workspaces:
    WS1:
      WorkspaceId: not-a-guid
      TenantId: "72f988bf-86f1-41af-91ab-2d7cd011db49"
    WS2:
      WorkspaceId: "72f988bf-86f1-41af-91ab-2d7cd011db49"
      TenantId: nope
TIProviders:
  XForce:
    Args:
      AuthKey: k
  MyVT:
    Provider: VirusTotal
    Args: {}
  Empty:
  Bad: 42
DataProviders:
  AzureSentinel_WS1:
    Args:
      WorkspaceId: x
      TenantId: "72f988bf-86f1-41af-91ab-2d7cd011db49"
`
	c := mustParse(t, text, nil)
	c.Path = "cfg.yaml"
	got := problemsText(c.Validate())
	for _, want := range []string{
		"AzureSentinel.Workspaces.WS1: invalid GUID for WorkspaceId",
		"AzureSentinel.Workspaces.WS2: invalid GUID for TenantId",
		"no Default workspace set",
		"TIProviders.XForce.Args: missing or empty ApiID (required by XForce)",
		"TIProviders.MyVT.Args: missing or empty AuthKey (required by VirusTotal)",
		"TIProviders.Empty: entry has no settings",
		"TIProviders.Bad: expected a mapping",
		"DataProviders.AzureSentinel_WS1.Args: invalid GUID for WorkspaceId",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Validate lacks %q; got:\n%s", want, got)
		}
	}
	if !HasErrors(c.Validate()) {
		t.Error("HasErrors = false")
	}
	if HasErrors(Embedded().Validate()) || len(Embedded().Validate()) != 0 {
		t.Errorf("embedded defaults have problems: %s", problemsText(Embedded().Validate()))
	}
}

func TestFindOrder(t *testing.T) {
	cwd, home, other := t.TempDir(), t.TempDir(), t.TempDir()
	write := func(p string) string {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("TIProviders: {}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	homeFile := filepath.Join(home, ".msticpy", "msticpyconfig.yaml")
	opts := FindOptions{Cwd: cwd, Home: home, Getenv: envMap(nil)}

	loc, err := Find(opts)
	if err != nil || loc.Path != "" || loc.From != FromEmbedded {
		t.Fatalf("nothing: %+v %v", loc, err)
	}
	write(homeFile)
	if loc, _ := Find(opts); loc.Path != homeFile || loc.From != FromHome {
		t.Errorf("home: %+v", loc)
	}
	cwdFile := write(filepath.Join(cwd, "msticpyconfig.yaml"))
	if loc, _ := Find(opts); loc.Path != cwdFile || loc.From != FromCwd {
		t.Errorf("cwd: %+v", loc)
	}
	envFile := write(filepath.Join(other, "env.yaml"))
	opts.Getenv = envMap(map[string]string{"MSTICPYCONFIG": envFile})
	if loc, _ := Find(opts); loc.Path != envFile || loc.From != FromEnv {
		t.Errorf("env: %+v", loc)
	}
	flagFile := write(filepath.Join(other, "flag.yaml"))
	opts.Flag = flagFile
	if loc, _ := Find(opts); loc.Path != flagFile || loc.From != FromFlag {
		t.Errorf("flag: %+v", loc)
	}

	// explicit paths that do not exist are errors naming them
	for _, o := range []FindOptions{
		{Flag: filepath.Join(other, "missing-flag.yaml"), Cwd: cwd, Home: home, Getenv: envMap(nil)},
		{Cwd: cwd, Home: home, Getenv: envMap(map[string]string{"MSTICPYCONFIG": filepath.Join(other, "missing-env.yaml")})},
		{Flag: other, Cwd: cwd, Home: home, Getenv: envMap(nil)}, // a folder
	} {
		_, err := Find(o)
		if !errors.Is(err, ErrMissing) {
			t.Errorf("Find(%+v) = %v, want ErrMissing", o, err)
			continue
		}
		want := o.Flag
		if want == "" {
			want = filepath.Join(other, "missing-env.yaml")
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
		if _, err := Load(o); !errors.Is(err, ErrMissing) {
			t.Errorf("Load did not fail: %v", err)
		}
	}

	// no file at all: embedded defaults
	c, err := Load(FindOptions{Cwd: t.TempDir(), Home: t.TempDir(), Getenv: envMap(nil)})
	if err != nil || c.From != FromEmbedded || c.Path != "" {
		t.Errorf("embedded: %+v %v", c, err)
	}
}

func TestInvalidYAMLIsAnErrorNamingTheFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(p, []byte("TIProviders:\n  OTX: [unclosed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadFile(p, nil)
	if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "line") {
		t.Errorf("error = %v", err)
	}
}

func TestLooksSecret(t *testing.T) {
	for k, want := range map[string]bool{
		"AuthKey": true, "ApiID": true, "api_key": true, "password": true, "CertificatePassword": true,
		"token": true, "ClientSecret": true, "key": true, "SubscriptionKey": true, "PrivateKey": true,
		"dsn": true, "DSN": true, "postgres_dsn": true,
		"UserName": false, "WorkspaceId": false, "Instance": false, "ClientId": false, "": false, "Keyword": false,
	} {
		if LooksSecret(k) != want {
			t.Errorf("LooksSecret(%q) = %v", k, !want)
		}
	}
}

// documentedCorpusErrors lists the errors that files of the shared corpus
// are known to produce while loading. mpconfig_defaults.yaml is MSTICPy's
// settings *schema* (values like "bool(default=True)"), not a config file.
var documentedCorpusErrors = map[string]string{
	"mpconfig_defaults.yaml": "Primary: expected true or false",
}

func TestCorpusConfigsLoad(t *testing.T) {
	dir := testcorpus.Path(t, "config")
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	anySet := func(string) string { return "set-in-test" }
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			c, err := LoadFile(f, anySet)
			if err != nil {
				t.Fatalf("does not load: %v", err)
			}
			for _, p := range c.Problems {
				if p.Severity != SevError {
					continue
				}
				if want, ok := documentedCorpusErrors[filepath.Base(f)]; ok && strings.Contains(p.String(), want) {
					continue
				}
				t.Errorf("undocumented error: %s", p)
			}
			if _, err := c.RedactedYAML(); err != nil {
				t.Errorf("RedactedYAML: %v", err)
			}
			_ = c.Validate()
		})
	}
	// spot checks on the MSTICPy test config
	c, err := LoadFile(filepath.Join(dir, "msticpyconfig-test.yaml"), envMap(map[string]string{"OTX_AUTH": "otx-from-env"}))
	if err != nil {
		t.Fatal(err)
	}
	otx, ok := c.Entry("TIProviders", "OTX")
	if !ok || !otx.Primary || otx.Status != "" {
		t.Errorf("OTX = %+v", otx)
	}
	if vals, _ := otx.Settings(); vals["AuthKey"] != "otx-from-env" {
		t.Errorf("OTX AuthKey = %q", vals["AuthKey"])
	}
	vt, _ := c.Entry("TIProviders", "VirusTotal")
	if vt.Status != "not configured: VIRUSTOTAL_AUTH not set" {
		t.Errorf("VirusTotal status = %q", vt.Status)
	}
	if c.Sentinel == nil || len(c.Sentinel.Workspaces) != 4 || len(c.PluginFolders) != 1 || !strings.HasSuffix(c.PluginFolders[0], filepath.Join("config", "tests", "testdata", "plugins")) {
		t.Errorf("sentinel %+v plugin folders %q", c.Sentinel, c.PluginFolders)
	}
	// KeyVault config: providers not configured with a reason
	kv, err := LoadFile(filepath.Join(dir, "msticpyconfig-kv.yaml"), anySet)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := kv.Entry("TIProviders", "VirusTotal")
	if !strings.Contains(e.Status, "Key Vault") {
		t.Errorf("kv VirusTotal status = %q", e.Status)
	}
}

func TestAliasBombRefused(t *testing.T) {
	bomb := `a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
`
	if _, err := Parse([]byte(bomb), "bomb.yaml", nil); err == nil || !strings.Contains(err.Error(), "bomb.yaml") {
		t.Errorf("alias bomb: %v", err)
	}
	if _, err := Parse([]byte("a: &a [*a]\n"), "cycle.yaml", nil); err == nil {
		t.Error("self-referencing alias accepted")
	}
}

// TestURLPasswordsAndDSNAreSecret: `config show` masks a dsn setting
// (PostgreSQL's alias of ConnectionString) and the user-info password of a
// URL under any key (BaseURL, a list item, an unknown section), and
// Secrets() holds those passwords so errors and rows are redacted too.
func TestURLPasswordsAndDSNAreSecret(t *testing.T) {
	tests := []struct {
		name, text string
		hidden     []string // in Secrets(), not in the shown YAML
		shown      []string // in the shown YAML
	}{
		{"dsn", "DataProviders:\n  PostgreSQL:\n    Args:\n      dsn: \"postgres://msticgo:ci-pw-7f3k@127.0.0.1:54329/t?sslmode=disable\"\n",
			[]string{"ci-pw-7f3k", "postgres://msticgo:ci-pw-7f3k@127.0.0.1:54329/t?sslmode=disable"}, []string{"dsn: '***'"}},
		{"BaseURL", "TIProviders:\n  AcmeIntel:\n    Args:\n      AuthKey: k-1234567\n      BaseURL: http://svcuser:URLPASSWORD999@127.0.0.1:18080/api\n",
			[]string{"URLPASSWORD999"}, []string{"BaseURL: http://svcuser:***@127.0.0.1:18080/api"}},
		{"percent-encoded", "TIProviders:\n  AcmeIntel:\n    Args:\n      BaseURL: http://u:p%40ss-77@127.0.0.1/api\n",
			[]string{"p%40ss-77", "p@ss-77"}, []string{"http://u:***@127.0.0.1/api"}},
		{"list item", "TIProviders:\n  AcmeIntel:\n    Args:\n      Mirrors: [\"http://u:list-pw-88@h1/\", \"http://h2/\"]\n",
			[]string{"list-pw-88"}, []string{"http://u:***@h1/", "http://h2/"}},
		{"workspace arg", "AzureSentinel:\n  Workspaces:\n    Default:\n      WorkspaceId: 00000000-0000-0000-0000-000000000001\n      TenantId: 00000000-0000-0000-0000-000000000002\n      Args:\n        Endpoint: https://a:ws-pw-99@h/\n",
			[]string{"ws-pw-99"}, []string{"https://a:***@h/"}},
		{"unknown section", "Custom:\n  Feed: https://a:unk-pw-11@h/x\n",
			[]string{"unk-pw-11"}, []string{"https://a:***@h/x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, tt.text, nil)
			out, err := c.RedactedYAML()
			if err != nil {
				t.Fatal(err)
			}
			secrets := map[string]bool{}
			for _, s := range c.Secrets() {
				secrets[s] = true
			}
			for _, h := range tt.hidden {
				if strings.Contains(string(out), h) {
					t.Errorf("shown config holds %q:\n%s", h, out)
				}
				if !secrets[h] {
					t.Errorf("Secrets() lacks %q: %q", h, c.Secrets())
				}
			}
			for _, w := range tt.shown {
				if !strings.Contains(string(out), w) {
					t.Errorf("shown config lacks %q:\n%s", w, out)
				}
			}
			if _, err := Parse(out, "", nil); err != nil {
				t.Errorf("shown config does not parse: %v", err)
			}
		})
	}
}

// TestSecretsIncludeConnectionStringPasswords: the password inside a secret
// connection string is itself a secret, so an error or a log line showing
// it alone is redacted too.
func TestSecretsIncludeConnectionStringPasswords(t *testing.T) {
	tests := []struct {
		name, value string
		want        []string
		notWant     []string
	}{
		{"URL", "postgres://hunter:pw-in-url-1@db.example:5432/hunt?sslmode=disable", []string{"pw-in-url-1"}, []string{"hunter", "5432/hunt"}},
		{"URL percent-encoded", "postgres://hunter:p%40ss%2Fw0rd@db.example/hunt", []string{"p@ss/w0rd", "p%40ss%2Fw0rd"}, nil},
		{"URL not parseable", "postgres://hunter:bad%zz-pw@db.example/hunt", []string{"bad%zz-pw"}, nil},
		{"URL without password", "postgres://hunter@db.example/hunt", nil, []string{"hunter"}},
		{"key=value", "host=db.example user=hunter password=kv-pw-2 dbname=hunt", []string{"kv-pw-2"}, []string{"hunter", "db.example"}},
		{"key=value quoted", `host=db.example password='kv pw \'3' dbname=hunt`, []string{`kv pw '3`}, nil},
		{"key=value spaced, any case", "host=db.example PASSWORD = kv-pw-4", []string{"kv-pw-4"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := "DataProviders:\n  PostgreSQL:\n    Args:\n      ConnectionString: \"" + strings.ReplaceAll(tt.value, `\`, `\\`) + "\"\n"
			c := mustParse(t, text, nil)
			got := map[string]bool{}
			for _, s := range c.Secrets() {
				got[s] = true
			}
			if !got[tt.value] {
				t.Errorf("Secrets() lacks the connection string itself: %q", c.Secrets())
			}
			for _, w := range tt.want {
				if !got[w] {
					t.Errorf("Secrets() lacks %q: %q", w, c.Secrets())
				}
			}
			for _, nw := range tt.notWant {
				if got[nw] {
					t.Errorf("Secrets() holds %q, which is not a password", nw)
				}
			}
		})
	}
}

// TestDuplicateKeys: a key written twice in one mapping is an error naming
// both lines, and the later value is used (as MSTICPy's YAML reader does);
// a key overriding one brought in by a merge key (<<) is not a duplicate.
func TestDuplicateKeys(t *testing.T) {
	tests := []struct {
		name      string
		text      string
		wantPath  string
		wantLines [2]int // first, later
		check     func(t *testing.T, c *Config)
	}{
		{
			name:     "section twice",
			text:     "TIProviders:\n  OTX:\n    Args: {AuthKey: first-1111}\nTIProviders:\n  VirusTotal:\n    Args: {AuthKey: later-2222}\n",
			wantPath: "TIProviders", wantLines: [2]int{1, 4},
			check: func(t *testing.T, c *Config) {
				if len(c.TIProviders) != 1 || c.TIProviders[0].Name != "VirusTotal" {
					t.Errorf("entries %+v, want the later section's VirusTotal only", c.TIProviders)
				}
			},
		},
		{
			name:     "entry twice",
			text:     "TIProviders:\n  OTX:\n    Args: {AuthKey: first-1111}\n  OTX:\n    Args: {AuthKey: later-2222}\n",
			wantPath: "TIProviders.OTX", wantLines: [2]int{2, 4},
			check: func(t *testing.T, c *Config) {
				if len(c.TIProviders) != 1 {
					t.Fatalf("entries %+v, want one", c.TIProviders)
				}
				if v, _ := c.TIProviders[0].Settings(); v["AuthKey"] != "later-2222" {
					t.Errorf("AuthKey %q, want the later one", v["AuthKey"])
				}
			},
		},
		{
			name:     "setting twice",
			text:     "DataProviders:\n  LocalData:\n    Args:\n      data_paths: a\n      data_paths: b\n",
			wantPath: "DataProviders.LocalData.Args.data_paths", wantLines: [2]int{4, 5},
			check: func(t *testing.T, c *Config) {
				if v, _ := c.DataProviders[0].Settings(); v["data_paths"] != "b" {
					t.Errorf("data_paths %q, want b", v["data_paths"])
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, tt.text, nil)
			var found []Problem
			for _, p := range c.Problems {
				if strings.Contains(p.Message, "written twice") {
					found = append(found, p)
				}
				if strings.Contains(p.String(), "first-1111") || strings.Contains(p.String(), "later-2222") {
					t.Errorf("problem echoes a value: %s", p)
				}
			}
			if len(found) != 1 {
				t.Fatalf("want one duplicate problem, got:\n%s", problemsText(c.Problems))
			}
			p := found[0]
			if p.Severity != SevError || p.Path != tt.wantPath || p.Line != tt.wantLines[1] || !strings.Contains(p.Message, fmt.Sprintf("first at line %d", tt.wantLines[0])) {
				t.Errorf("problem %+v, want an error at %s line %d naming line %d", p, tt.wantPath, tt.wantLines[1], tt.wantLines[0])
			}
			tt.check(t, c)
		})
	}
	// overriding a merged key is what merge keys are for
	c := mustParse(t, "base: &b {Args: {AuthKey: base-key}}\nTIProviders:\n  OTX:\n    <<: *b\n    Primary: true\n    Args: {AuthKey: own-key}\n", nil)
	for _, p := range c.Problems {
		if strings.Contains(p.Message, "written twice") {
			t.Errorf("merge override reported as a duplicate: %s", p)
		}
	}
	if v, _ := c.TIProviders[0].Settings(); v["AuthKey"] != "own-key" {
		t.Errorf("AuthKey %q, want own-key", v["AuthKey"])
	}
}

// TestMSTICPySectionsAreNotTypos: top-level sections of MSTICPy configs
// that are read elsewhere or by nothing raise no "unknown section"
// warning, and are kept for whoever reads them.
func TestMSTICPySectionsAreNotTypos(t *testing.T) {
	for _, text := range []string{
		"LocalData:\n  data_paths: [logs]\n",
		"AzureCLI:\n  Args: {clientId: x}\n",
		"Plugins:\n  - a\n",
	} {
		c := mustParse(t, text, nil)
		if len(c.Problems) != 0 {
			t.Errorf("%q: %s", text, problemsText(c.Problems))
		}
		if len(c.Unknown) != 1 {
			t.Errorf("%q: section not kept: %v", text, c.Unknown)
		}
	}
	if c := mustParse(t, "TIProvider: {}\n", nil); len(c.Problems) != 1 {
		t.Errorf("a typo must still be reported: %s", problemsText(c.Problems))
	}
}
