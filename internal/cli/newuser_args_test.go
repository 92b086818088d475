package cli

import (
	"strings"
	"testing"
)

// Argument and flag-value mistakes: exit 2, one line in our words (no
// cobra counts, no Go parser text, no "stat X:").
func TestNewUserArgumentMessages(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"query run without a name", []string{"query", "run"}, "msticgo: query run: give a query name (Family.name); see msticgo query list"},
		{"query show without a name", []string{"query", "show"}, "msticgo: query show: give a query name (Family.name)"},
		{"query exec without text", []string{"query", "exec"}, `msticgo: query exec: missing argument (usage: msticgo query exec --env E "raw query text" [flags])`},
		{"extra argument to query list", []string{"query", "list", "Network"}, `msticgo: query list takes no arguments; unexpected "Network" (to pick a family: --family Network)`},
		{"extra argument to config show", []string{"config", "show", "extra"}, `msticgo: config show takes no arguments; unexpected "extra"`},
		{"limit not a number", []string{"query", "run", "--limit", "abc", "x"}, `msticgo: --limit "abc": want a whole number`},
		{"max-width not a number", []string{"--max-width", "abc", "version"}, `msticgo: --max-width "abc": want a whole number`},
		{"cache-ttl in days", []string{"ti", "lookup", "--cache-ttl", "1day", "1.2.3.4"}, `msticgo: --cache-ttl "1day": want a duration such as 24h`},
		{"missing --query-path", []string{"--query-path", "/nonexistent/q", "query", "list"}, "msticgo: --query-path /nonexistent/q: no such file or folder"},
		{"missing file to validate", []string{"query", "validate", "/nonexistent/q.yaml"}, "msticgo: query validate /nonexistent/q.yaml: no such file or folder"},
		{"unknown completion shell", []string{"completion", "tcsh"}, `msticgo: unknown command "tcsh" for "msticgo completion"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, nil, tt.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, tt.want)
			}
			for _, bad := range []string{"strconv.", "time: unknown unit", "stat ", "arg(s)", "no such file or directory"} {
				if strings.Contains(r.stderr, bad) {
					t.Errorf("stderr has Go/cobra wording %q: %s", bad, r.stderr)
				}
			}
		})
	}
	if r := run(t, nil, "completion", "bash"); r.code != 0 || !strings.Contains(r.stdout, "__start_msticgo") {
		t.Errorf("completion bash: exit %d", r.code)
	}
}
