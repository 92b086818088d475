package config

import (
	"strings"
	"testing"
)

// YAML syntax errors name the line where the file stops being valid (yaml
// itself said one line too early, at the enclosing block).
func TestNewUserYAMLErrorLine(t *testing.T) {
	tests := []struct{ text, want string }{
		{"TIProviders:\n  A:\n    Args: {AuthKey: x\n  B:\n    Primary: true\n", "c.yaml: not valid YAML: line 3: did not find expected ',' or '}'"},
		{"TIProviders:\n  A:\n    Primary: true\n   Args: x\n", "c.yaml: not valid YAML: line 4: did not find expected key"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.text), "c.yaml", nil)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse error %v, want %q", err, tt.want)
		}
	}
}

// Unknown sections and entry keys are warnings with a suggestion; MSTICPy's
// own sections and DataProviders driver settings are not reported.
func TestNewUserUnknownKeys(t *testing.T) {
	text := "TIProvider: {}\nAzureCLI: {}\nPlugins: {}\ndefinitions: {}\nTIProviders:\n  OTX:\n    Primry: true\nDataProviders:\n  Mordor:\n    save_folder: x\n"
	c, err := Parse([]byte(text), "c.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := problemsText(c.Problems)
	for _, want := range []string{"TIProvider: unknown section, not read by msticgo: did you mean TIProviders?", "TIProviders.OTX.Primry: unknown key ignored: did you mean Primary?"} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %q:\n%s", want, got)
		}
	}
	if len(c.Problems) != 2 {
		t.Errorf("want exactly 2 problems:\n%s", got)
	}
}

// Key Vault references: one warning per provider entry, naming the
// settings, and no demand for KeyVault.VaultName (Key Vault is unsupported).
func TestNewUserKeyVaultOnce(t *testing.T) {
	text := "TIProviders:\n  XForce:\n    Args:\n      ApiID:\n        KeyVault: a\n      AuthKey:\n        KeyVault: b\n  OTX:\n    Args:\n      AuthKey:\n        KeyVault: c\n"
	c, err := Parse([]byte(text), "kv.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := problemsText(c.Validate())
	want := []string{
		"TIProviders.XForce.Args: Key Vault references (ApiID, AuthKey) are not supported yet; the provider is not configured",
		"TIProviders.OTX.Args.AuthKey: Key Vault references are not supported yet; the provider is not configured",
	}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("lacks %q:\n%s", w, got)
		}
	}
	if n := len(c.Validate()); n != 2 || strings.Contains(got, "VaultName") {
		t.Errorf("want exactly the 2 warnings:\n%s", got)
	}
}
