package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const badDefaultsFile = `metadata: {version: 1, description: defaults test file, data_environments: [DuckDB], data_families: [E]}
sources:
  i:
    description: an int default that is not a number
    args: {query: "SELECT {v} AS v"}
    parameters: {v: {description: the value, type: int, default: "abc"}}
  f:
    description: a float parameter
    args: {query: "SELECT {v} AS v, '{s}' AS s"}
    parameters:
      v: {description: the value, type: float, default: 1.5}
      s: {description: the text, type: str, default: x}
`

// TestQueryValidateBadDefaults: a default its type cannot read is a warning
// of query validate naming file, line, query and field (MSTICPy accepts
// such a file, so it does not fail validation); the query still runs when
// a value is given.
func TestQueryValidateBadDefaults(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "q.yaml")
	if err := os.WriteFile(f, []byte(badDefaultsFile), 0o600); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "-o", "csv", "query", "validate", f)
	if r.code != 0 || !strings.Contains(r.stdout, `6,i,parameters.v.default,warning,"default does not fit type int: want an integer, got ""abc"""`) || !strings.Contains(r.stderr, "0 errors, 1 warnings") {
		t.Errorf("validate: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, nil, "--query-path", dir, "query", "render", "E.i", "--env", "DuckDB", "v=3")
	if r.code != 0 || !strings.Contains(r.stdout, "SELECT 3 AS v") {
		t.Errorf("render with a value: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	// values that would reach the query text raw or broken: exit 2, the
	// parameter named, nothing on stdout
	for _, tt := range []struct{ arg, want string }{
		{"v=nan", `parameter "v": want a number, got "nan"`},
		{"v=-Infinity", `parameter "v": want a number`},
		{"v=0x1p-2", `parameter "v": want a number`},
		{"v=1_000", `parameter "v": want a number`},
		{"s=a\xffb", `parameter "s": value is not valid UTF-8 text`},
	} {
		r = run(t, nil, "--query-path", dir, "query", "render", "E.f", "--env", "DuckDB", tt.arg)
		if r.code != 2 || !strings.Contains(r.stderr, tt.want) || r.stdout != "" || strings.Contains(r.stderr, "\xff") {
			t.Errorf("%q: exit %d stdout %q stderr %q", tt.arg, r.code, r.stdout, r.stderr)
		}
	}
}
