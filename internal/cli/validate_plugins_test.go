package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// config validate lists PluginFolders problems (a folder that does not
// exist, a plugin file that does not load) in its table, with the config
// file, the folder's line and PluginFolders[i], instead of logging them and
// then saying "no problems found"; the folder is named as written. Keys
// written beside Args in DataProviders are listed too.
func TestConfigValidatePluginAndEntryProblems(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "badplug")
	if err := os.Mkdir(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bad, "acme.yaml"), []byte("kind: ti\nprovider_name: Acme\n  oops: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgDir := filepath.Join(dir, "cfg")
	if err := os.Mkdir(cfgDir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(text string) string {
		p := filepath.Join(cfgDir, "msticpyconfig.yaml")
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name     string
		config   string
		args     []string
		wantCode int
		want     []string
		notWant  []string
	}{
		{
			name:   "missing folder and broken plugin",
			config: "PluginFolders:\n  - ../badplug\n  - nosuchfolder\n",
			want: []string{
				"warning,", ",2,PluginFolders[0],plugin not loaded: " + filepath.Join(bad, "acme.yaml") + ": ",
				`,3,PluginFolders[1],"plugin not loaded: ` + filepath.Join(cfgDir, "nosuchfolder") + `: plugin folder does not exist (given as ""nosuchfolder"")"`,
			},
			notWant: []string{"no problems found", "level=WARN"},
		},
		{
			name:     "counted by --strict",
			config:   "PluginFolders: nosuchfolder\n",
			args:     []string{"--strict"},
			wantCode: 2,
			want:     []string{",1,PluginFolders[0],"},
		},
		{
			name:    "--plugins folder problem listed once under --plugins",
			config:  "PluginFolders: [../badplug]\n",
			args:    []string{"--plugins", bad},
			want:    []string{",PluginFolders[0],plugin not loaded"},
			notWant: []string{",--plugins,"},
		},
		{
			name:   "DataProviders setting without Args",
			config: "DataProviders:\n  PostgreSQL:\n    ConnectionString: {EnvironmentVar: PGDSN}\n    Arsg: {Port: 1}\n",
			want: []string{
				",3,DataProviders.PostgreSQL.ConnectionString,unknown key ignored: did you mean Args.ConnectionString? (settings go under Args)",
				",4,DataProviders.PostgreSQL.Arsg,unknown key ignored: did you mean Args?",
			},
			notWant: []string{"no problems found", "must be {EnvironmentVar"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := write(tt.config)
			args := append([]string{"--config", cfg, "-o", "csv", "config", "validate"}, tt.args...)
			r := run(t, map[string]string{"PGDSN": "postgres://u:pw-4471@127.0.0.1:1/x"}, args...)
			if r.code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
				}
			}
			for _, w := range append(tt.notWant, "pw-4471") {
				if strings.Contains(r.stdout+r.stderr, w) {
					t.Errorf("output has %q:\n%s\n%s", w, r.stdout, r.stderr)
				}
			}
		})
	}
}

// Other commands still warn about a plugin folder that does not exist, on
// stderr, naming it as written in PluginFolders.
func TestPluginFolderWarningGivenAsWritten(t *testing.T) {
	cfg := writeConfig(t, "PluginFolders: [nosuchfolder]\n")
	r := run(t, nil, "--config", cfg, "ti", "providers")
	want := `plugin folder does not exist (given as \"nosuchfolder\")`
	if !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "level=WARN") {
		t.Errorf("stderr lacks %s:\n%s", want, r.stderr)
	}
}
