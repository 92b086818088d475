package httpprov

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/msticgo/msticgo/lookup"
)

// TestRedactionKeepsOrdinaryData: a provider's answers lose a secret only
// where it stands as a whole token of 4 characters or more (B1 of the
// second user review: a ServiceNow user "u" turned "unexpected" into
// "***nexpected" and "cmdb_ci_computer" into "cmdb_ci_comp***ter").
func TestRedactionKeepsOrdinaryData(t *testing.T) {
	def := strings.Replace(acmeDef, `details: '{"score": response.score, "tags": response.tags}'`, `details: 'headers'`, 1)
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Echo", "unexpected answer from cmdb_ci_computer for user "+r.Header.Get("X-Api-Key")+" (jdoe2, xjdoe)")
		io.WriteString(w, `{"verdict": "bad", "score": 10}`)
	})
	tests := []struct{ key, want string }{
		{"u", "unexpected answer from cmdb_ci_computer for user u (jdoe2, xjdoe)"},
		{"jdoe", "unexpected answer from cmdb_ci_computer for user *** (jdoe2, xjdoe)"},
	}
	for _, tt := range tests {
		p := mustProvider(t, mustDef(t, def), map[string]string{"AuthKey": tt.key, "BaseURL": ts.URL}, nil)
		res := p.Lookup(context.Background(), lookup.Item{Value: "203.0.113.5", Type: "ipv4"})
		if res.Status != lookup.StatusFound {
			t.Fatal(res.Status, res.Message)
		}
		if s := fmt.Sprintf("%v", res.Details); !strings.Contains(s, tt.want) {
			t.Errorf("key %q: details %s, want %q", tt.key, s, tt.want)
		}
	}
}
