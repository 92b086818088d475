package config

import (
	"strings"
	"testing"
)

// A key beside Args in any provider section, DataProviders included, is
// ignored with a warning naming its line and saying where it belongs; it
// never makes the entry not configured, and its secrets are still redacted.
// MSTICPy's own direct driver keys (Mordor's save_folder) are not reported.
func TestEntryKeysBesideArgs(t *testing.T) {
	env := map[string]string{"PGDSN": "postgres://u:pgpass-7781@127.0.0.1:1/x", "VTK": "vt-key-5521"}
	tests := []struct {
		name, text string
		want       []string // problem texts, in order
		ignored    []string // keys of the first entry's Ignored
		status     string
	}{
		{
			name:    "connection string without Args",
			text:    "DataProviders:\n  PostgreSQL:\n    ConnectionString: {EnvironmentVar: PGDSN}\n",
			want:    []string{"c.yaml:3: warning: DataProviders.PostgreSQL.ConnectionString: unknown key ignored: did you mean Args.ConnectionString? (settings go under Args)"},
			ignored: []string{"ConnectionString"},
		},
		{
			name:    "unset variable of an ignored key says nothing more and leaves the entry configured",
			text:    "DataProviders:\n  PostgreSQL:\n    ConnectionString: {EnvironmentVar: NOPE}\n",
			want:    []string{"c.yaml:3: warning: DataProviders.PostgreSQL.ConnectionString: unknown key ignored: did you mean Args.ConnectionString? (settings go under Args)"},
			ignored: []string{"ConnectionString"},
		},
		{
			name: "plain keys at the entry level",
			text: "DataProviders:\n  PostgreSQL:\n    Host: 127.0.0.1\n    Foo: bar\n",
			want: []string{
				"c.yaml:3: warning: DataProviders.PostgreSQL.Host: unknown key ignored: did you mean Args.Host? (settings go under Args)",
				"c.yaml:4: warning: DataProviders.PostgreSQL.Foo: unknown key ignored: did you mean Args.Foo? (settings go under Args)",
			},
			ignored: []string{"Host", "Foo"},
		},
		{
			name:    "misspelt Args",
			text:    "DataProviders:\n  PostgreSQL:\n    Arsg:\n      Port: 54329\n      Password: arsg-pass-9931\n",
			want:    []string{"c.yaml:3: warning: DataProviders.PostgreSQL.Arsg: unknown key ignored: did you mean Args?"},
			ignored: []string{"Arsg"},
		},
		{
			name:    "TI key without Args",
			text:    "TIProviders:\n  VirusTotal:\n    AuthKey: {EnvironmentVar: VTK}\n",
			want:    []string{"c.yaml:3: warning: TIProviders.VirusTotal.AuthKey: unknown key ignored: did you mean Args.AuthKey? (settings go under Args)"},
			ignored: []string{"AuthKey"},
		},
		{
			name: "Mordor's direct keys, Provider given after them",
			text: "DataProviders:\n  Mine:\n    save_folder: x\n    use_cached: true\n    Provider: Mordor\n",
		},
		{
			name:   "Args is read as before",
			text:   "DataProviders:\n  PostgreSQL:\n    Args:\n      ConnectionString: {EnvironmentVar: NOPE}\n",
			want:   []string{"c.yaml:4: warning: DataProviders.PostgreSQL.Args.ConnectionString: environment variable NOPE is not set (or empty); the provider is not configured"},
			status: "not configured: NOPE not set",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.text), "c.yaml", envMap(env))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range c.Problems {
				got = append(got, p.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			e := c.Entries()[0]
			var keys []string
			for _, s := range e.Ignored {
				keys = append(keys, s.Key)
			}
			if strings.Join(keys, ",") != strings.Join(tt.ignored, ",") {
				t.Errorf("ignored %v, want %v", keys, tt.ignored)
			}
			for _, k := range tt.ignored {
				if _, ok := e.Arg(k); ok {
					t.Errorf("ignored key %s read as a setting", k)
				}
			}
			if e.Status != tt.status {
				t.Errorf("status %q, want %q", e.Status, tt.status)
			}
			shown, err := c.RedactedYAML()
			if err != nil {
				t.Fatal(err)
			}
			secrets := strings.Join(c.Secrets(), "\n")
			for _, pw := range []string{"pgpass-7781", "vt-key-5521", "arsg-pass-9931"} {
				if strings.Contains(tt.text, "PGDSN") && pw == "pgpass-7781" || strings.Contains(tt.text, "VTK") && pw == "vt-key-5521" || strings.Contains(tt.text, pw) {
					if !strings.Contains(secrets, pw) {
						t.Errorf("secret %s not in Secrets()", pw)
					}
				}
				if strings.Contains(string(shown), pw) {
					t.Errorf("config show reveals %s:\n%s", pw, shown)
				}
			}
			for _, k := range tt.ignored {
				if !strings.Contains(string(shown), "# ignored: not read by msticgo (settings go under Args)\n    "+k+":") {
					t.Errorf("config show does not mark %s as ignored:\n%s", k, shown)
				}
			}
		})
	}
}
