package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runIn runs msticgo in-process with stdin.
func runIn(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	e := map[string]string{"HOME": t.TempDir()}
	var out, errb bytes.Buffer
	code := Run(context.Background(), Env{
		Args: args, Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return e[k] },
	})
	return result{code, out.String(), errb.String()}
}

// msticgo reads back its own -o json output (a JSON array of objects),
// from stdin and from a .json file.
func TestNewUserLookupReadsJSONArray(t *testing.T) {
	q := run(t, nil, "query", "run", "Network.list_public_destinations", "-o", "json")
	if q.code != 0 || !strings.HasPrefix(strings.TrimSpace(q.stdout), "[") {
		t.Fatalf("query run -o json: exit %d: %s %s", q.code, q.stdout, q.stderr)
	}
	file := filepath.Join(t.TempDir(), "dest.json")
	if err := os.WriteFile(file, []byte(q.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		stdin string
		args  []string
	}{
		{"stdin", q.stdout, []string{"ti", "lookup", "--column", "DestinationIP", "-o", "csv"}},
		{"file", "", []string{"ti", "lookup", "--file", file, "--column", "destinationip", "-o", "csv"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := runIn(t, tt.stdin, tt.args...)
			if r.code != 0 || !strings.Contains(r.stdout, "91.234.254.144") {
				t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
			}
		})
	}
	bad := []struct{ name, stdin, want string }{
		{"missing column names the item", `[{"a":"1.2.3.4"},{"b":"x"}]`, `stdin item 2: no column "a" (columns: b)`},
		{"not an object", `[{"a":"1.2.3.4"}, 5]`, "stdin item 2: not a JSON object"},
		{"truncated", `[{"a":"1.2.3.4"},`, "stdin item 2: the JSON array ends early"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			r := runIn(t, tt.stdin, "ti", "lookup", "--column", "a")
			if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, tt.want)
			}
		})
	}
}
