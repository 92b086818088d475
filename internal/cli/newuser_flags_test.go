package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// Flags that were silently ignored or took impossible values: exit 2
// with the valid range.
func TestNewUserFlagsRefused(t *testing.T) {
	q := "Network.list_public_destinations"
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"providers without enrich", []string{"query", "run", q, "--providers", "Feeds"}, "--providers needs --enrich"},
		{"no-cache without enrich", []string{"query", "run", q, "--no-cache"}, "--no-cache needs --enrich"},
		{"enrich-output without enrich", []string{"query", "run", q, "--enrich-output"}, "--enrich-output needs --enrich"},
		{"negative limit", []string{"query", "run", q, "--limit", "-5"}, "--limit -5: want 0"},
		{"negative limit exec", []string{"query", "exec", "--env", "Sample", "--limit", "-1", "SELECT 1"}, "--limit -1: want 0"},
		{"parallel 0", []string{"query", "run", q, "--parallel", "0"}, "--parallel 0: want 1 or more"},
		{"max-width -7", []string{"query", "list", "--max-width", "-7"}, "--max-width -7: want -1 (no limit), 0"},
		{"config show csv", []string{"config", "show", "-o", "csv"}, "-o csv is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, nil, tt.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, tt.want)
			}
		})
	}
}

func TestNewUserEnrichColumnWithoutIndicators(t *testing.T) {
	r := run(t, nil, "query", "run", "Network.list_public_destinations", "--enrich", "Computer", "-o", "csv")
	if r.code != 0 || !strings.Contains(r.stderr, "--enrich Computer: no value of this column is an indicator; nothing looked up") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestNewUserConfigShowAndPath(t *testing.T) {
	cfg := writeConfig(t, "TIProviders:\n  OTX:\n    Primary: true\n    Args:\n      AuthKey: sekret-abc-123\n")
	r := run(t, nil, "--config", cfg, "config", "show", "-o", "json")
	var doc struct {
		TIProviders map[string]map[string]any
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("config show -o json is not JSON: %v\n%s", err, r.stdout)
	}
	otx := doc.TIProviders["OTX"]
	if otx["Primary"] != true || strings.Contains(r.stdout, "sekret") || !strings.Contains(r.stdout, `"***"`) {
		t.Errorf("unexpected JSON (Primary a boolean, key redacted):\n%s", r.stdout)
	}
	r = run(t, nil, "config", "path", "-o", "csv")
	if !strings.Contains(r.stdout, "(built-in defaults),embedded") {
		t.Errorf("config path without a file: %q", r.stdout)
	}
}
