package contextprov

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/registry"
)

const (
	testUser = "svc_msticgo"
	testPass = "s3cret-P4ss-word-42"
)

// Records in the Table API's documented shape with sysparm_display_value=true
// and sysparm_exclude_reference_link=true: every value is display text.
const computersJSON = `{"result": [
 {"sys_id": "a1b2c3", "sys_class_name": "Computer", "name": "host01", "host_name": "host01",
  "fqdn": "host01.corp.example.com", "ip_address": "10.0.0.1, 10.0.0.2", "company": "ACME",
  "location": "London", "sys_tags": "", "assignment_group": "IT Ops", "busines_criticality": "2 - somewhat critical",
  "category": "Hardware", "comments": "", "install_status": "Installed", "internet_facing": "false",
  "subcategory": "Computer", "support_group": "Service Desk",
  "sys_updated_on": "2023-01-01 00:00:0", "sys_created_on": "2021-6-3 7:05:09",
  "last_discovered": "", "install_date": "not a date"},
 {"sys_id": "d4e5f6", "sys_class_name": "Computer", "name": "host10", "ip_address": "10.0.0.10",
  "sys_updated_on": "2023-01-02 10:11:12", "sys_created_on": "2023-01-02 10:11:12"}]}`

const usersJSON = `{"result": [
 {"sys_id": "u123", "sys_class_name": "User", "user_name": "User01", "name": "User One",
  "first_name": "User", "last_name": "One", "middle_name": "", "email": "user@domain.com",
  "employee_number": "E-1001", "active": "true", "vip": "false", "department": "Finance",
  "manager": "Boss Person", "title": "Accountant", "phone": "", "failed_attempts": "0",
  "preferred_language": "en", "introduction": "", "company": "ACME", "location": "London",
  "business_criticality": "", "last_login": "2023-1-5", "last_login_time": "2023-01-05 08:09:1",
  "sys_updated_on": "2023-01-05 08:09:10", "sys_created_on": "2020-01-01 00:00:00"}]}`

type seen struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (s *seen) add(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, r.Clone(context.Background()))
}

func (s *seen) last() *http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reqs[len(s.reqs)-1]
}

// snowServer answers like a ServiceNow instance: 401 without the right
// Basic credentials, else the records of the table asked for.
func snowServer(t *testing.T) (*httptest.Server, *seen) {
	t.Helper()
	s := &seen{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.add(r)
		if u, p, ok := r.BasicAuth(); !ok || u != testUser || p != testPass {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":{"message":"User Not Authenticated","detail":"Required to provide Auth information"},"status":"failure"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/cmdb_ci_computer":
			if strings.Contains(r.URL.Query().Get("sysparm_query"), "nothing") {
				fmt.Fprint(w, `{"result": []}`)
				return
			}
			fmt.Fprint(w, computersJSON)
		case "/sys_user":
			fmt.Fprint(w, usersJSON)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":{"message":"Invalid table"},"status":"failure"}`)
		}
	}))
	t.Cleanup(ts.Close)
	return ts, s
}

func newSNow(t *testing.T, base, user, pass string) lookup.Provider {
	t.Helper()
	reg, err := registry.Lookup(registry.KindContext, "servicenow")
	if err != nil {
		t.Fatal(err)
	}
	p, err := reg.Factory(context.Background(), registry.FactoryArgs{Entry: "ServiceNow",
		Settings: map[string]string{"Instance": "test", "ApiID": user, "AuthKey": pass, "BaseURL": base},
		Secrets:  map[string]bool{"ApiID": true, "AuthKey": true}})
	if err != nil {
		t.Fatal(err)
	}
	return p.(lookup.Provider)
}

func detailsList(t *testing.T, r lookup.Result) []map[string]any {
	t.Helper()
	list, ok := r.Details.([]any)
	if !ok {
		t.Fatalf("details %T %#v", r.Details, r.Details)
	}
	var out []map[string]any
	for _, x := range list {
		out = append(out, x.(map[string]any))
	}
	return out
}

func TestRegistered(t *testing.T) {
	ds, err := Definitions()
	if err != nil || len(ds) == 0 {
		t.Fatalf("definitions: %v %v", ds, err)
	}
	reg, err := registry.Lookup(registry.KindContext, "ServiceNow")
	if err != nil || reg.Source.Type != "builtin" {
		t.Fatalf("%v %+v", err, reg)
	}
	if _, err := registry.Lookup(registry.KindTI, "ServiceNow"); err == nil {
		t.Error("ServiceNow registered as a TI provider too")
	}
}

func TestComputerByIP(t *testing.T) {
	ts, s := snowServer(t)
	p := newSNow(t, ts.URL, testUser, testPass)
	r := p.Lookup(context.Background(), lookup.Item{Ioc: "10.0.0.1", Type: "ipv4", Value: "10.0.0.1"})
	if r.Status != lookup.StatusFound {
		t.Fatalf("status %v: %s", r.Status, r.Message)
	}
	recs := detailsList(t, r)
	if len(recs) != 1 {
		t.Fatalf("want only the record whose ip_address list holds 10.0.0.1 (not 10.0.0.10): %v", recs)
	}
	rec := recs[0]
	for k, want := range map[string]any{
		"permalink":           ts.URL + "/cmdb_ci_computer/a1b2c3",
		"sys_id":              "a1b2c3",
		"hostname":            "host01",
		"fqdn":                "host01.corp.example.com",
		"sys_updated_on":      "2023-01-01 00:00:00", // one-digit seconds read leniently
		"sys_created_on":      "2021-06-03 07:05:09",
		"created_on":          "2021-06-03 07:05:09",
		"install_date":        "", // unreadable date → ""
		"last_discovered":     "",
		"busines_criticality": "2 - somewhat critical",
		"company":             "ACME",
	} {
		if fmt.Sprint(rec[k]) != fmt.Sprint(want) {
			t.Errorf("%s = %#v, want %#v", k, rec[k], want)
		}
	}
	if fmt.Sprint(rec["ip_address"]) != "[10.0.0.1 10.0.0.2]" {
		t.Errorf("ip_address %#v", rec["ip_address"])
	}
	req := s.last()
	q := req.URL.Query()
	for k, want := range map[string]string{
		"sysparm_query": "ip_addressLIKE10.0.0.1", "sysparm_display_value": "true",
		"sysparm_exclude_reference_link": "true", "sysparm_limit": "10",
	} {
		if q.Get(k) != want {
			t.Errorf("param %s = %q, want %q", k, q.Get(k), want)
		}
	}
	if req.URL.Path != "/cmdb_ci_computer" || req.Header.Get("Accept") != "application/json" || req.Header.Get("Accept-Charset") != "UTF-8" {
		t.Errorf("request %s %v", req.URL, req.Header)
	}
	if r.Reference != ts.URL+"/cmdb_ci_computer" {
		t.Errorf("reference %q", r.Reference)
	}
	// ip_addressLIKE10.0.0.3 finds 10.0.0.1x-style records only: filtered out.
	if r := p.Lookup(context.Background(), lookup.Item{Ioc: "10.0.0.3", Type: "ipv4", Value: "10.0.0.3"}); r.Status != lookup.StatusNotFound {
		t.Errorf("filtered miss: %v %v", r.Status, r.Details)
	}
}

func TestHostnameAndUsers(t *testing.T) {
	ts, s := snowServer(t)
	p := newSNow(t, ts.URL, testUser, testPass)
	r := p.Lookup(context.Background(), lookup.Item{Ioc: "host01.corp.example.com", Type: "hostname", Value: "host01.corp.example.com"})
	if r.Status != lookup.StatusFound || len(detailsList(t, r)) != 2 {
		t.Fatalf("hostname: %v %v", r.Status, r.Details)
	}
	if q := s.last().URL.Query().Get("sysparm_query"); q != "nameLIKEhost01.corp.example.com" {
		t.Errorf("hostname query %q", q)
	}
	if r := p.Lookup(context.Background(), lookup.Item{Ioc: "nothing.example.com", Type: "hostname", Value: "nothing.example.com"}); r.Status != lookup.StatusNotFound {
		t.Errorf("empty result: %v", r.Status)
	}
	for _, c := range []struct{ typ, v, query string }{
		{"email", "user@domain.com", "email=user@domain.com"},
		{"user", "User01", "nameLIKEUser01"},
	} {
		r := p.Lookup(context.Background(), lookup.Item{Ioc: c.v, Type: c.typ, Value: c.v})
		if r.Status != lookup.StatusFound {
			t.Fatalf("%s: %v %s", c.typ, r.Status, r.Message)
		}
		req := s.last()
		if req.URL.Path != "/sys_user" || req.URL.Query().Get("sysparm_query") != c.query {
			t.Errorf("%s: request %s", c.typ, req.URL)
		}
		u := detailsList(t, r)[0]
		for k, want := range map[string]string{
			"account": "E-1001", "user_name": "User01", "email": "user@domain.com",
			"last_login": "2023-01-05", "last_login_time": "2023-01-05 08:09:01",
			"permalink": ts.URL + "/sys_user/u123", "department": "Finance",
		} {
			if fmt.Sprint(u[k]) != want {
				t.Errorf("%s: %s = %#v, want %q", c.typ, k, u[k], want)
			}
		}
	}
	if r := p.Lookup(context.Background(), lookup.Item{Ioc: "d41d8cd98f00b204e9800998ecf8427e", Type: "md5_hash", Value: "d41d8cd98f00b204e9800998ecf8427e"}); r.Status != lookup.StatusUnsupported {
		t.Errorf("hash: %v", r.Status)
	}
}

// noSecret fails when the password (or its Basic encoding) appears anywhere
// in a result.
func noSecret(t *testing.T, what string, r lookup.Result) {
	t.Helper()
	b, _ := json.Marshal(r.RawResult)
	all := fmt.Sprint(r.Details) + r.Message + r.Reference + string(b) + fmt.Sprint(r.RawResult)
	for _, s := range []string{testPass, "czNjcmV0LVA0c3Mtd29yZC00Mg", url.QueryEscape(testPass)} {
		if strings.Contains(all, s) {
			t.Errorf("%s: secret in result: %s", what, all)
		}
	}
}

func TestUnauthorizedAndHTML(t *testing.T) {
	ts, _ := snowServer(t)
	p := newSNow(t, ts.URL, testUser, "wrong-"+testPass)
	items := []lookup.Item{
		{Ioc: "10.0.0.1", Type: "ipv4", Value: "10.0.0.1"},
		{Ioc: "user@domain.com", Type: "email", Value: "user@domain.com"},
	}
	for _, it := range items {
		r := p.Lookup(context.Background(), it)
		if r.Status != lookup.StatusProviderError || !strings.Contains(r.Message+fmt.Sprint(r.Details), "Authorization failed") {
			t.Errorf("%s: 401 → %v %q %v", it.Ioc, r.Status, r.Message, r.Details)
		}
		noSecret(t, "401", r)
	}
	// An instance answering HTML (a login or maintenance page) with 200.
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><head><title>Instance Hibernating</title></head><body>Your instance is hibernating.</body></html>`)
	}))
	defer html.Close()
	p = newSNow(t, html.URL, testUser, testPass)
	for _, it := range items {
		r := p.Lookup(context.Background(), it)
		ex, _ := r.RawResult.(string)
		if r.Status != lookup.StatusUnexpected || !strings.Contains(ex+r.Message, "Instance Hibernating") || len(ex) > 400 {
			t.Errorf("%s: HTML page → %v %q, excerpt %q: want unexpected response with a short excerpt", it.Ioc, r.Status, r.Message, ex)
		}
		noSecret(t, "html", r)
	}
	// A JSON answer of the wrong shape.
	odd := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"result": {"not": "a list"}}`)
	}))
	defer odd.Close()
	p = newSNow(t, odd.URL, testUser, testPass)
	if r := p.Lookup(context.Background(), items[0]); r.Status != lookup.StatusUnexpected {
		t.Errorf("wrong shape: %v %s", r.Status, r.Message)
	}
}

// TestContextModeSendsPrivateAddresses runs ServiceNow through the lookup
// engine in context mode: private addresses reach the CMDB (the TI
// non-routable rule does not apply), one row per item, per-item statuses.
func TestContextModeSendsPrivateAddresses(t *testing.T) {
	ts, s := snowServer(t)
	p := newSNow(t, ts.URL, testUser, testPass)
	eng := lookup.NewEngine([]lookup.ProviderSpec{{Name: "ServiceNow", Kind: "ServiceNow", Provider: p, Primary: true}},
		lookup.Options{Mode: lookup.ModeContext, Prepare: lookup.IOCPreparer})
	defer eng.Close()
	rows, sum, err := eng.Rows(context.Background(), []lookup.Input{{Value: "10.0.0.1"}, {Value: "192.168.0.1"}, {Value: "not an observable at all"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("rows %d", len(rows))
	}
	if rows[0].Result.Status != lookup.StatusFound || rows[1].Result.Status != lookup.StatusFound && rows[1].Result.Status != lookup.StatusNotFound {
		t.Errorf("private addresses: %v / %v (%s)", rows[0].Result.Status, rows[1].Result.Status, rows[1].Result.Message)
	}
	n := 0
	for _, r := range s.reqs {
		if strings.Contains(r.URL.RawQuery, "192.168.0.1") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("192.168.0.1 sent %d times, want 1", n)
	}
	if rows[2].Result.Status.OK() {
		t.Errorf("unknown observable: %v", rows[2].Result.Status)
	}
	_ = sum
}
