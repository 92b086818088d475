package cli

import (
	"strings"
	"testing"
)

// TestValidateMessagesNotCut is C1 of the second user review: config
// validate's messages end with what to do, so they are not cut at 60
// characters unless --max-width is given.
func TestValidateMessagesNotCut(t *testing.T) {
	cfg := writeConfig(t, "TIProvider:\n  X: {}\nTIProviders:\n  VirusTotal:\n    Args:\n      AuthKey:\n        EnvironmentVar: NOPE_UNSET\n")
	r := run(t, nil, "--config", cfg, "config", "validate")
	for _, want := range []string{
		"unknown section, not read by msticgo: did you mean TIProviders?",
		"environment variable NOPE_UNSET is not set (or empty); the provider is not configured",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("message cut or missing: want %q in\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "…") {
		t.Errorf("a cell is cut:\n%s", r.stdout)
	}
	r = run(t, nil, "--config", cfg, "--max-width", "40", "config", "validate")
	if !strings.Contains(r.stdout, "unknown section, not read by msticgo: d…") {
		t.Errorf("--max-width 40 not honoured:\n%s", r.stdout)
	}
}
