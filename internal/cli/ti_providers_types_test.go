package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTIProvidersTypesAll: a plugin with no type list (asked about every
// type) shows "all" in the types column of ti providers, not an empty cell.
func TestTIProvidersTypesAll(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "any.star"), []byte("PROVIDER_NAME = 'AnyType'\ndef lookup(ioc, ioc_type, settings):\n    return None\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "ip.star"), []byte("PROVIDER_NAME = 'IPOnly'\nSUPPORTED = ['ipv4']\ndef lookup(ioc, ioc_type, settings):\n    return None\n"), 0o644)
	cfg := filepath.Join(dir, "msticpyconfig.yaml")
	os.WriteFile(cfg, []byte("TIProviders:\n  AnyType: {Primary: true}\n  IPOnly: {Primary: true}\n"), 0o644)
	out, stderr, code := runTI(t, "", "--config", cfg, "--plugins", dir, "-o", "json", "ti", "providers")
	if code != 0 {
		t.Fatalf("exit %d: %s\n%s", code, stderr, out)
	}
	rows := jsonRows(t, out)
	tests := []struct{ name, types string }{
		{"AnyType", "all"},
		{"IPOnly", "ipv4"},
	}
	for _, tc := range tests {
		r := rowByName(rows, tc.name)
		if r == nil || r["types"] != tc.types {
			t.Errorf("%s: %v; want types %q", tc.name, r, tc.types)
		}
	}
}

// TestTIProvidersLimitsNotConfigured: an entry that is not configured (a
// key not set, an empty required setting, a bad limit setting) still lists
// the limits it would have, the same as a configured entry of its type;
// its valid overrides apply.
func TestTIProvidersLimitsNotConfigured(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "msticpyconfig.yaml")
	body := `TIProviders:
  Ready:
    Provider: VirusTotal
    Args: {AuthKey: {EnvironmentVar: MAIN_KEY}}
  NoKey:
    Provider: VirusTotal
    Args: {AuthKey: {EnvironmentVar: VT_KEY_NOT_SET}}
  NoKeyFaster:
    Provider: VirusTotal
    Args: {AuthKey: {EnvironmentVar: VT_KEY_NOT_SET}, RateLimit: 8/min, Retries: 0}
  Empty:
    Provider: OTX
    Args: {AuthKey: ""}
  Tor:
    Provider: Tor
  Fast:
    Provider: Tor
    Args: {RateLimit: fast}
`
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runTI(t, "", "--config", cfg, "-o", "json", "ti", "providers")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows := map[string]map[string]any{}
	for _, r := range jsonRows(t, out) {
		rows[fmt.Sprint(r["name"])] = r
	}
	for _, tc := range []struct{ name, like, want string }{
		{"NoKey", "Ready", ""},
		{"NoKeyFaster", "", "8/min burst 4, 4 parallel, 500/day, timeout 30s, 0 retries"},
		{"Empty", "", "600/min burst 10, 4 parallel, timeout 30s, 2 retries"},
		{"Fast", "Tor", ""},
	} {
		r := rows[tc.name]
		if !strings.HasPrefix(fmt.Sprint(r["status"]), "not configured: ") {
			t.Errorf("%s: want not configured, got %v", tc.name, r)
		}
		want := tc.want
		if tc.like != "" {
			want = fmt.Sprint(rows[tc.like]["limits"])
		}
		if got := fmt.Sprint(r["limits"]); got == "" || got != want {
			t.Errorf("%s: limits %q, want %q", tc.name, got, want)
		}
	}
}
