package contextprov

import (
	"context"
	"fmt"
	"testing"

	"github.com/msticgo/msticgo/lookup"
)

// TestUnauthorizedNamesStatus: a 401 row's Details (the column a user
// sees) names the HTTP status, as context.md says, after MSTICPy's text.
func TestUnauthorizedNamesStatus(t *testing.T) {
	ts, _ := snowServer(t)
	p := newSNow(t, ts.URL, testUser, "wrong-"+testPass)
	r := p.Lookup(context.Background(), lookup.Item{Ioc: "10.0.0.1", Type: "ipv4", Value: "10.0.0.1"})
	if want := "Authorization failed. Check account and key details. (HTTP 401)"; r.Status != lookup.StatusProviderError || fmt.Sprint(r.Details) != want {
		t.Errorf("401: %v %q, want Details %q", r.Status, r.Details, want)
	}
	noSecret(t, "401", r)
}
