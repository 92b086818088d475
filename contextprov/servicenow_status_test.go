package contextprov

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
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

// TestUserDateTimeInDateField: a date-time where MSTICPy expects a date
// (last_login) is kept, written as YYYY-MM-DD HH:MM:SS, not turned into
// ""; a date stays a date and a value that is no date at all is still "".
func TestUserDateTimeInDateField(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2024-02-03 10:11:12", "2024-02-03 10:11:12"},
		{"2024-2-3T1:2:3", "2024-02-03 01:02:03"},
		{"2024-02-03", "2024-02-03"},
		{"yesterday", ""},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"result": [{"sys_id": "u1", "user_name": "User01", "last_login": %q}]}`, c.in)
		}))
		p := newSNow(t, srv.URL, testUser, testPass)
		r := p.Lookup(context.Background(), lookup.Item{Ioc: "User01", Type: "user", Value: "User01"})
		srv.Close()
		if r.Status != lookup.StatusFound {
			t.Fatalf("%s: %v %s", c.in, r.Status, r.Message)
		}
		if got := fmt.Sprint(detailsList(t, r)[0]["last_login"]); got != c.want {
			t.Errorf("last_login %q → %q, want %q", c.in, got, c.want)
		}
	}
}
