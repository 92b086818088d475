package httpprov

import (
	"errors"
	"strings"
	"testing"
)

// TestParseDefinitionEveryProblem: every problem of a definition is its
// own *DefinitionError (unknown keys, wrong types, checks, every template
// and expression), in line order; a decode problem hides none of the
// others, and a key whose value did not decode is not also "missing".
func TestParseDefinitionEveryProblem(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string // one per expected problem, in order
	}{
		{"audit repro", "kind: ti\nprovider_name: D\nbase_url: https://x.example\nqueries:\n  ipv4: {path: \"/ip/{observable}\"}\nresult:\n  found: 'status == 200 &&& response.x'\n  severity: 'foo('\n  bogus_key: x\n", []string{
			"d.yaml:7: result.found: ", "d.yaml:8: result.severity: ", "d.yaml:9: result.bogus_key: ",
		}},
		{"everything at once", "kind: [ti]\nprovider_name: D\nbogus: 1\nqueries:\n  ipv9: {path: \"/ip/{nope}\", method: PUT}\n  dns: {path: \"/d/{observable}\", headers: {X: \"{zz}\"}}\nlimits: {timeout: soon, retries: x}\nresult:\n  found: \"((\"\n", []string{
			"d.yaml:1: kind: ", "d.yaml:1: base_url: ", "d.yaml:3: bogus: invalid provider definition: unknown key", "d.yaml:5: queries.ipv9: invalid provider definition: unknown indicator type",
			"d.yaml:5: queries.ipv9.method: ", "d.yaml:5: queries.ipv9.path: ", "d.yaml:6: queries.dns.headers.X: ",
			"d.yaml:7: limits.retries: ", "d.yaml:7: limits.timeout: ", "d.yaml:9: result.found: ",
		}},
		{"shared rule reported once", "kind: ti\nprovider_name: D\nbase_url: https://x.example\nqueries:\n  ipv4: {path: /a}\n  dns: {path: /b}\nresult: {found: '(('}\n", []string{
			"d.yaml:7: result.found: ",
		}},
		{"list mode without list", "kind: ti\nprovider_name: D\nmode: list\nsettings: [{name: 'a b'}, {name: observable}]\n", []string{
			"d.yaml:1: list: ", "d.yaml:4: settings[0].name: ", "d.yaml:4: settings[1].name: ",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseDefinition("p/d.yaml", []byte(tc.text))
			if err == nil {
				t.Fatal("no error")
			}
			got := []error{err}
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				got = j.Unwrap()
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(got), len(tc.want), err)
			}
			for i, w := range tc.want {
				var de *DefinitionError
				if !errors.As(got[i], &de) || !errors.Is(got[i], ErrDefinition) || !strings.Contains(got[i].Error(), w) {
					t.Errorf("problem %d = %q, want a DefinitionError containing %q", i+1, got[i], w)
				}
			}
		})
	}
}
