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
