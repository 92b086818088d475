package cli

import (
	"strings"
	"testing"
)

// TestUnknownCommandWithHelp: --help after an unknown command is the
// unknown-command error (exit 2), not the root's help with exit 0; --help
// on a group or a command still prints its help (new-user review 3).
func TestUnknownCommandWithHelp(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"feeds", "--help"}, 2, "", `unknown command "feeds" for "msticgo"`},
		{[]string{"querry", "list", "-h"}, 2, "", `did you mean "query"?`},
		{[]string{"query", "lst", "--help"}, 2, "", `unknown command "lst" for "msticgo query"`},
		{[]string{"--help"}, 0, "Exit codes:", ""},
		{[]string{"query", "--help"}, 0, "Available Commands:", ""},
		{[]string{"query", "list", "--help"}, 0, "Usage:", ""},
	}
	for _, tt := range tests {
		r := run(t, nil, tt.args...)
		if r.code != tt.code || !strings.Contains(r.stdout, tt.stdout) || !strings.Contains(r.stderr, tt.stderr) {
			t.Errorf("%v: exit %d\nstdout %.200q\nstderr %q", tt.args, r.code, r.stdout, r.stderr)
		}
	}
}
