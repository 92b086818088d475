package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// TestContextLookupHostNamesAsDocumented runs the examples of context.md
// and of "context lookup --help" against a fake ServiceNow Table API: an
// FQDN (typed dns) and a short name both reach the CMDB as host names
// (nameLIKE), with --type hostname too; an input no provider takes is
// said on stderr (exit 0, as lookups.md's exit-code table says).
func TestContextLookupHostNamesAsDocumented(t *testing.T) {
	var mu sync.Mutex
	var queries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		queries = append(queries, r.URL.Path+"?"+r.URL.Query().Get("sysparm_query"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"result": [{"sys_id": "c1", "name": "host01", "ip_address": "10.0.0.5", "fqdn": "host01.corp.example.com"}]}`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "msticpyconfig.yaml")
	body := fmt.Sprintf("ContextProviders:\n  ServiceNow:\n    Primary: true\n    Args:\n      Instance: test\n      BaseURL: %s\n      ApiID: u\n      AuthKey: p\n", srv.URL)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "hosts.txt"), []byte("host01\nhost01.corp.example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"10.0.0.5", "host01.corp.example.com"}, // context.md
		{"10.0.0.5", "host01"},                  // --help
		{"--file", filepath.Join(dir, "hosts.txt"), "--type", "hostname", "--providers", "ServiceNow"}, // both
	} {
		mu.Lock()
		queries = nil
		mu.Unlock()
		out, stderr, code := runTI(t, "", append([]string{"--config", cfg, "-o", "json", "context", "lookup", "--no-cache"}, args...)...)
		rows := jsonRows(t, out)
		if code != 0 || len(rows) != 2 {
			t.Fatalf("%v: exit %d rows %v\n%s", args, code, rows, stderr)
		}
		for _, r := range rows {
			if r["StatusName"] != "found" {
				t.Errorf("%v: row %v", args, r)
			}
		}
		mu.Lock()
		sort.Strings(queries)
		for _, q := range queries {
			if !strings.HasPrefix(q, "/cmdb_ci_computer?nameLIKEhost01") && q != "/cmdb_ci_computer?ip_addressLIKE10.0.0.5" {
				t.Errorf("%v: request %s", args, q)
			}
		}
		if len(queries) != 2 {
			t.Errorf("%v: requests %v", args, queries)
		}
		mu.Unlock()
	}

	// A value no provider takes: exit 0 (an answer), but said on stderr.
	out, stderr, code := runTI(t, "", "--config", cfg, "-o", "json", "context", "lookup", "--no-cache", "/etc/passwd")
	rows := jsonRows(t, out)
	if code != 0 || len(rows) != 1 || rows[0]["StatusName"] != "unsupported type" ||
		!strings.Contains(stderr, `1 of 1 inputs not looked up: no selected provider takes their type: /etc/passwd (linux_path)`) {
		t.Errorf("unsupported: exit %d rows %v\nstderr %s", code, rows, stderr)
	}
}
