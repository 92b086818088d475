package cli

import (
	"strings"
	"testing"
)

// TestRedactionRuleKeepsData is B1 of the second user review: a secret is
// replaced only where it stands as a whole token, and only when it has 4
// characters or more, so ordinary data that merely contains its text is
// shown as it is (port 443 with VTK=443, the host WS-ELM with VTK=WS-E).
func TestRedactionRuleKeepsData(t *testing.T) {
	cfg := writeConfig(t, "TIProviders:\n  VirusTotal:\n    Primary: true\n    Args:\n      AuthKey:\n        EnvironmentVar: VTK\n")
	tests := []struct {
		key        string
		want, gone []string
	}{
		{"443", []string{" 443 ", "WS-ELM "}, nil},
		{"WS-E", []string{" 443 ", "WS-ELM "}, nil},
		{"WS-ELM", []string{" 443 ", "*** "}, []string{"WS-ELM"}},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			for _, format := range []string{"table", "csv", "json"} {
				r := run(t, map[string]string{"VTK": tt.key}, "--config", cfg, "-o", format, "query", "run", "Network.list_public_destinations")
				if r.code != 0 {
					t.Fatalf("exit %d: %s", r.code, r.stderr)
				}
				out := r.stdout
				if format != "table" {
					out = strings.NewReplacer(",", " ", `"`, " ", ":", " ").Replace(out)
				}
				for _, w := range tt.want {
					if !strings.Contains(out, w) {
						t.Errorf("%s: output lacks %q:\n%s", format, w, r.stdout)
					}
				}
				for _, g := range tt.gone {
					if strings.Contains(r.stdout+r.stderr, g) {
						t.Errorf("%s: output shows the secret %q", format, g)
					}
				}
			}
		})
	}
}

// TestQueryTextRedacted: query render and query show print query text
// through the same redaction as every other output (standards review 1).
func TestQueryTextRedacted(t *testing.T) {
	cfg := writeConfig(t, "TIProviders:\n  VirusTotal:\n    Primary: true\n    Args:\n      AuthKey:\n        EnvironmentVar: VTK\n")
	tests := []struct {
		name, key string
		args      []string
	}{
		{"render", "SeKret77", []string{"query", "render", "Network.list_host_connections", "host_name=WS-ALDER", "add_query_items=AND ProcessName = 'SeKret77'"}},
		{"show template", "BytesReceived", []string{"query", "show", "Network.list_host_connections"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, map[string]string{"VTK": tt.key}, append([]string{"--config", cfg}, tt.args...)...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, tt.key) {
				t.Errorf("output shows the secret %q:\n%s", tt.key, r.stdout)
			}
			if !strings.Contains(r.stdout, "***") {
				t.Errorf("no *** where the secret stood:\n%s", r.stdout)
			}
		})
	}
}

// TestAppRedactsEncodedForms: the App's redactor, fed by the config's
// secrets, masks their encoded and case-changed forms in every output
// path, not only the plain value.
func TestAppRedactsEncodedForms(t *testing.T) {
	const key = "S3cr/t+Key=Value!"
	a := &App{}
	a.setSecrets([]string{key})
	tests := []struct{ name, in, want string }{
		{"raw", "key " + key, "key ***"},
		{"lower-cased", "bad key s3cr/t+key=value! x", "bad key *** x"},
		{"base64", "b64 UzNjci90K0tleT1WYWx1ZSE=", "b64 ***"},
		{"base64url unpadded", "id/UzNjci90K0tleT1WYWx1ZSE", "id/***"},
		{"query escape lower hex", "?k=s3cr%2ft%2bkey%3dvalue%21", "?k=***"},
		{"JSON slash escape", `"S3cr\/t+Key=Value!"`, `"***"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := a.Redact(tt.in); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestWordLikeSecretKeepsSettingNames: MSTICPy's test config has a literal
// AuthKey "authkey"; config validate must still show the path
// TIProviders.OTX.Args.AuthKey (a word-like secret matches as written).
func TestWordLikeSecretKeepsSettingNames(t *testing.T) {
	cfg := writeConfig(t, "TIProviders:\n  OTX:\n    Args:\n      AuthKey:\n        EnvironmentVar: UNSET_OTX\n  ServiceNow:\n    Args:\n      AuthKey: authkey\n")
	r := run(t, nil, "--config", cfg, "-o", "csv", "config", "validate")
	if !strings.Contains(r.stdout, "TIProviders.OTX.Args.AuthKey") || strings.Contains(r.stdout+r.stderr, "Args.***") {
		t.Errorf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, nil, "--config", cfg, "config", "show")
	if strings.Contains(r.stdout, ": authkey") {
		t.Errorf("the literal secret shows:\n%s", r.stdout)
	}
}

// TestTILookupSaysWhyNotConfigured: ti lookup names the provider and the
// reason on stderr once, as enrichment does (new-user review 6).
func TestTILookupSaysWhyNotConfigured(t *testing.T) {
	cfg := writeConfig(t, "TIProviders:\n  VirusTotal:\n    Primary: true\n    Args:\n      AuthKey:\n        EnvironmentVar: VT_UNSET_X\n")
	r := run(t, nil, "--config", cfg, "ti", "lookup", "8.8.8.8", "9.9.9.9")
	if r.code != 3 || strings.Count(r.stderr, "VirusTotal not configured (VT_UNSET_X not set): no lookups made with it") != 1 {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
}

// TestProvidersTypoSuggestsType: a misspelt --providers name with no entry
// close to it is matched against the provider types (new-user review 6).
func TestProvidersTypoSuggestsType(t *testing.T) {
	r := run(t, nil, "ti", "lookup", "8.8.8.8", "--providers", "VirusTotl")
	if r.code != 2 || !strings.Contains(r.stderr, `unknown provider "VirusTotl" (did you mean the provider type "VirusTotal"?`) {
		t.Errorf("exit %d\n%s", r.code, r.stderr)
	}
}
