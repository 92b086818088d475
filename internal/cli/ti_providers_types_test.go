package cli

import (
	"os"
	"path/filepath"
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
