package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/registry"
)

// cliTestTI is a small real TI provider for CLI tests: HTTP GET
// <BaseURL>/<type>/<value> with the AuthKey header; 200 + {"found":...}
// found, 404 not found, anything else a provider error carrying the body.
type cliTestTI struct {
	base, key string
}

func (p *cliTestTI) SupportedTypes() []string { return []string{"ipv4", "dns", "url", "md5_hash"} }

func (p *cliTestTI) Lookup(ctx context.Context, it lookup.Item) lookup.Result {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.base+"/"+it.Type+"/"+url.PathEscape(it.Value), nil)
	req.Header.Set("X-Key", p.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return lookup.Result{Status: lookup.StatusProviderError, Message: "request failed"}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	switch resp.StatusCode {
	case 200:
		var v map[string]any
		if json.Unmarshal(body, &v) != nil {
			return lookup.Result{Status: lookup.StatusUnexpected, Message: "not JSON"}
		}
		return lookup.Result{Status: lookup.StatusFound, Found: true, Severity: lookup.SevHigh, RawResult: v, Details: v["tag"]}
	case 404:
		return lookup.Result{Status: lookup.StatusNotFound}
	}
	return lookup.Result{Status: lookup.StatusProviderError, Message: fmt.Sprintf("HTTP %d", resp.StatusCode), RawResult: string(body)}
}

func init() {
	registry.MustRegister(registry.Registration{Kind: registry.KindTI, Name: "CLITestTI", Description: "test provider",
		Factory: func(_ context.Context, a registry.FactoryArgs) (any, error) {
			return &cliTestTI{base: a.Settings["BaseURL"], key: a.Settings["AuthKey"]}, nil
		}})
}

type cliTIServer struct {
	*httptest.Server
	mu    sync.Mutex
	calls []string
}

func newCLITIServer(t *testing.T) *cliTIServer {
	s := &cliTIServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.calls = append(s.calls, r.URL.Path)
		s.mu.Unlock()
		switch {
		case strings.Contains(r.URL.Path, "evil"), strings.Contains(r.URL.Path, "44d88612"):
			io.WriteString(w, `{"tag":"malware"}`)
		case strings.Contains(r.URL.Path, "denied"):
			// A provider that echoes the key back: it must never reach output.
			http.Error(w, "bad key "+r.Header.Get("X-Key"), http.StatusUnauthorized)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *cliTIServer) n() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

const cliTestKey = "k3y-VERY-secret-77"

func writeTIConfig(t *testing.T, base string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "msticpyconfig.yaml")
	cfg := fmt.Sprintf(`TIProviders:
  Main:
    Args:
      AuthKey:
        EnvironmentVar: MAIN_KEY
      BaseURL: %[1]s
    Primary: true
    Provider: CLITestTI
  NoKey:
    Args:
      AuthKey:
        EnvironmentVar: NOKEY_UNSET
      BaseURL: %[1]s
    Provider: CLITestTI
  Extra:
    Args:
      BaseURL: %[1]s
      RateLimit: 10/s
      DailyQuota: 1000
    Provider: CLITestTI
`, base)
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func runTI(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{"HOME": t.TempDir(), "MAIN_KEY": cliTestKey}
	code := Run(context.Background(), Env{Args: args, Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return env[k] }})
	return out.String(), errb.String(), code
}

func ndjsonRows(t *testing.T, s string) []map[string]any {
	t.Helper()
	var rows []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("bad NDJSON line %q: %v", line, err)
		}
		rows = append(rows, m)
	}
	return rows
}

func TestTILookupArgsStatusesAndExit(t *testing.T) {
	srv := newCLITIServer(t)
	cfg := writeTIConfig(t, srv.URL)
	cache := t.TempDir()
	out, stderr, code := runTI(t, "", "--config", cfg, "-o", "json", "ti", "lookup", "--cache-dir", cache,
		"evil.example.com", "1.1.1.1", "10.0.0.1", "http://[::1", "44D88612FEA8A8F36DE82E1278ABB02F")
	if code != ExitPartial {
		t.Fatalf("exit %d, want 3 (an invalid URL): %s", code, stderr)
	}
	if !strings.Contains(stderr, "1 of 5 lookups failed (1 invalid input)") {
		t.Errorf("stderr %q", stderr)
	}
	rows := jsonRows(t, out)
	want := [][3]any{
		{"evil.example.com", "found", true},
		{"1.1.1.1", "not found", false},
		{"10.0.0.1", "not routable", false},
		{"http://[::1", "invalid input", false},
		{"44D88612FEA8A8F36DE82E1278ABB02F", "found", true},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows: %s", len(rows), out)
	}
	for i, w := range want {
		r := rows[i]
		if r["Ioc"] != w[0] || r["StatusName"] != w[1] || r["Result"] != w[2] || r["Provider"] != "Main" {
			t.Errorf("row %d = %v, want %v", i, r, w)
		}
	}
	if rows[4]["SafeIoc"] != "44d88612fea8a8f36de82e1278abb02f" || rows[0]["Severity"] != "high" || rows[2]["Details"] != "not routable: private" {
		t.Errorf("rows %v", rows)
	}
	if srv.n() != 3 {
		t.Errorf("server calls %d, want 3", srv.n())
	}
	// Again with the same cache folder: no calls; --no-cache: calls again.
	_, _, code = runTI(t, "", "--config", cfg, "-o", "json", "ti", "lookup", "--cache-dir", cache, "evil.example.com", "1.1.1.1")
	if code != 0 || srv.n() != 3 {
		t.Errorf("cached run: exit %d, calls %d", code, srv.n())
	}
	_, _, code = runTI(t, "", "--config", cfg, "-o", "json", "ti", "lookup", "--cache-dir", cache, "--no-cache", "evil.example.com")
	if code != 0 || srv.n() != 4 {
		t.Errorf("--no-cache run: exit %d, calls %d", code, srv.n())
	}
	// --no-cache does not write either: an answer it got is asked again.
	_, _, code = runTI(t, "", "--config", cfg, "-o", "json", "ti", "lookup", "--cache-dir", cache, "--no-cache", "evil2.example.com")
	if code != 0 || srv.n() != 5 {
		t.Errorf("--no-cache run: exit %d, calls %d", code, srv.n())
	}
	_, _, code = runTI(t, "", "--config", cfg, "-o", "json", "ti", "lookup", "--cache-dir", cache, "evil2.example.com")
	if code != 0 || srv.n() != 6 {
		t.Errorf("the --no-cache run wrote its answer to the cache: exit %d, calls %d", code, srv.n())
	}
	// A TTL shorter than the age of the cached answers asks again.
	_, _, code = runTI(t, "", "--config", cfg, "-o", "json", "ti", "lookup", "--cache-dir", cache, "--cache-ttl", "1ns", "evil2.example.com")
	if code != 0 || srv.n() != 7 {
		t.Errorf("--cache-ttl 1ns: exit %d, calls %d", code, srv.n())
	}
}

func TestTILookupStdinNDJSONStreamsAndNotConfigured(t *testing.T) {
	srv := newCLITIServer(t)
	cfg := writeTIConfig(t, srv.URL)
	out, stderr, code := runTI(t, "# my list\nevil.example.com\n\n8.8.8.8\ndenied.example.com\n",
		"--config", cfg, "-o", "ndjson", "ti", "lookup", "--no-cache", "--providers", "main,NOKEY")
	if code != ExitPartial {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows := ndjsonRows(t, out)
	if len(rows) != 6 {
		t.Fatalf("%d rows:\n%s", len(rows), out)
	}
	for i, r := range rows {
		wantProv := []string{"Main", "NoKey"}[i%2]
		if r["Provider"] != wantProv {
			t.Errorf("row %d provider %v", i, r["Provider"])
		}
		if wantProv == "NoKey" && (r["StatusName"] != "not configured" || r["Details"] != "not configured: NOKEY_UNSET not set" || r["Status"] != 10.0) {
			t.Errorf("row %d = %v", i, r)
		}
	}
	if rows[4]["StatusName"] != "provider error" {
		t.Errorf("denied row %v", rows[4])
	}
	if srv.n() != 3 {
		t.Errorf("server calls %d, want 3 (none for NoKey)", srv.n())
	}
	if strings.Contains(out, cliTestKey) || strings.Contains(stderr, cliTestKey) {
		t.Errorf("the key reached the output:\n%s\n%s", out, stderr)
	}
	if !strings.Contains(out, "bad key ***") {
		t.Errorf("the echoed key was not redacted:\n%s", out)
	}
}

func TestTILookupTables(t *testing.T) {
	srv := newCLITIServer(t)
	cfg := writeTIConfig(t, srv.URL)
	dir := t.TempDir()
	csvFile := filepath.Join(dir, "alerts.csv")
	os.WriteFile(csvFile, []byte("Time,SourceIP,Kind\n1,evil.example.com,dns\n2,,ipv4\n3,9.9.9.9,ipv4\n"), 0o600)
	out, stderr, code := runTI(t, "", "--config", cfg, "-o", "csv", "ti", "lookup", "--no-cache", "--file", csvFile, "--column", "sourceip", "--type-column", "Kind")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "Ioc,IocType,SafeIoc,QuerySubtype,Provider,Result,Severity") || !strings.HasPrefix(lines[2], "9.9.9.9,ipv4") {
		t.Errorf("csv output:\n%s", out)
	}
	// A missing column: exit 2 naming it and the available ones.
	_, stderr, code = runTI(t, "", "--config", cfg, "ti", "lookup", "--file", csvFile, "--column", "DestIP")
	if code != ExitUsage || !strings.Contains(stderr, `--column: no column "DestIP" (columns: Time, SourceIP, Kind)`) {
		t.Errorf("missing CSV column: exit %d, %q", code, stderr)
	}
	// NDJSON on stdin, sniffed from '{'.
	out, stderr, code = runTI(t, "{\"ioc\":\"evil.example.com\",\"t\":\"dns\"}\n{\"ioc\":\"1.2.3.4\"}\n", "--config", cfg, "-o", "ndjson",
		"ti", "lookup", "--no-cache", "--column", "ioc", "--type-column", "t")
	if code != 0 || len(ndjsonRows(t, out)) != 2 {
		t.Errorf("ndjson stdin: exit %d %s %s", code, out, stderr)
	}
	_, stderr, code = runTI(t, "{\"ioc\":\"evil.example.com\"}\n{\"IP\":\"1.2.3.4\"}\n", "--config", cfg, "ti", "lookup", "--column", "ioc")
	if code != ExitUsage || !strings.Contains(stderr, `stdin line 2: no column "ioc" (columns: IP)`) {
		t.Errorf("ndjson missing key: exit %d %q", code, stderr)
	}
	_, stderr, code = runTI(t, "{\"ioc\": [1]}\n", "--config", cfg, "ti", "lookup", "--column", "ioc")
	if code != ExitUsage || !strings.Contains(stderr, `stdin line 1: column "ioc": is a JSON array`) {
		t.Errorf("ndjson array: exit %d %q", code, stderr)
	}
}

func TestTILookupUsageErrors(t *testing.T) {
	srv := newCLITIServer(t)
	cfg := writeTIConfig(t, srv.URL)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"ti", "lookup", "--providers", "Mian", "x.com"}, `unknown provider "Mian" (did you mean "Main"?); loaded: Main, NoKey, Extra`},
		{[]string{"ti", "lookup", "--type", "colour", "x.com"}, `--type: unsupported observable type "colour"`},
		{[]string{"ti", "lookup"}, "no indicators in stdin"},
		{[]string{"ti", "lookup", "--file", "/nonexistent/iocs.txt"}, "/nonexistent/iocs.txt"},
		{[]string{"ti", "lookup", "--column", "x", "a.com"}, "--column reads a table"},
		{[]string{"ti", "lookup", "--progress", "loud", "a.com"}, "--progress"},
	}
	for _, tt := range tests {
		_, stderr, code := runTI(t, "", append([]string{"--config", cfg}, tt.args...)...)
		if code != ExitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
	if srv.n() != 0 {
		t.Errorf("usage errors made %d calls", srv.n())
	}
}

func TestTIProvidersListing(t *testing.T) {
	srv := newCLITIServer(t)
	cfg := writeTIConfig(t, srv.URL)
	out, stderr, code := runTI(t, "", "--config", cfg, "-o", "json", "ti", "providers")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows := jsonRows(t, out)
	if len(rows) != 3 {
		t.Fatalf("rows %v", rows)
	}
	main, nokey, extra := rows[0], rows[1], rows[2]
	if main["name"] != "Main" || main["role"] != "primary" || main["status"] != "ready" || main["types"] != "ipv4, dns, url, md5_hash" {
		t.Errorf("Main %v", main)
	}
	if nokey["role"] != "secondary" || nokey["status"] != "not configured: NOKEY_UNSET not set" {
		t.Errorf("NoKey %v", nokey)
	}
	if !strings.HasPrefix(fmt.Sprint(extra["limits"]), "10/s, 4 parallel, 1000/day, timeout 30s") {
		t.Errorf("Extra %v", extra)
	}
	if strings.Contains(out, cliTestKey) {
		t.Error("key in listing")
	}
}

func TestProgressLine(t *testing.T) {
	got := progressLine(50, 200, 2*time.Second, 10)
	if got != "[==>       ]  50/200 lookups  25% 2s eta 6s" {
		t.Errorf("%q", got)
	}
	var b bytes.Buffer
	p := newProgress(&b, 10, "always")
	p.mu.Lock()
	p.start = time.Now().Add(-time.Second)
	p.mu.Unlock()
	for range 10 {
		p.add()
	}
	p.done()
	if !strings.Contains(b.String(), "lookups") || !strings.HasSuffix(b.String(), "\r\033[K") {
		t.Errorf("progress output %q", b.String())
	}
	b.Reset()
	p = newProgress(&b, 10, "auto") // a buffer is not a terminal
	p.mu.Lock()
	p.start = time.Now().Add(-time.Second)
	p.mu.Unlock()
	p.add()
	p.done()
	if b.Len() != 0 {
		t.Errorf("progress drawn on a non-terminal: %q", b.String())
	}
}

// TestTILookupBuiltinInternetDB runs a built-in declarative provider end to
// end: config entry → registry → factory (BaseURL override) → engine → CLI.
func TestTILookupBuiltinInternetDB(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/198.51.100.7" || r.URL.Path == "/203.0.113.10" {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"detail":"No information available"}`)
			return
		}
		io.WriteString(w, `{"cpes":[],"hostnames":["bad.example"],"ip":"8.8.4.4","ports":[443],"tags":["c2"],"vulns":[]}`)
	}))
	defer srv.Close()
	cfg := filepath.Join(t.TempDir(), "msticpyconfig.yaml")
	os.WriteFile(cfg, []byte("TIProviders:\n  InternetDB:\n    Args:\n      BaseURL: "+srv.URL+"\n    Primary: true\n"), 0o600)
	out, stderr, code := runTI(t, "", "--config", cfg, "-o", "json", "ti", "lookup", "--no-cache", "8.8.4.4", "evil.example.com", "192.168.1.1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows := jsonRows(t, out)
	if len(rows) != 3 || rows[0]["StatusName"] != "found" || rows[0]["Severity"] != "high" ||
		rows[1]["StatusName"] != "unsupported type" || rows[2]["StatusName"] != "not routable" {
		t.Errorf("rows %v", rows)
	}
	if len(paths) != 1 || paths[0] != "/8.8.4.4" {
		t.Errorf("calls %v", paths)
	}
}

// cliTestCMDB is a context provider answering from a fixed inventory.
type cliTestCMDB struct{}

func (cliTestCMDB) Lookup(_ context.Context, it lookup.Item) lookup.Result {
	if it.Value == "10.0.0.5" {
		return lookup.Result{Status: lookup.StatusFound, Found: true, Details: map[string]any{"owner": "finance"}}
	}
	return lookup.Result{Status: lookup.StatusNotFound}
}

func init() {
	registry.MustRegister(registry.Registration{Kind: registry.KindContext, Name: "CLITestCMDB",
		Factory: func(context.Context, registry.FactoryArgs) (any, error) { return cliTestCMDB{}, nil }})
}

func TestContextLookupSendsPrivateAddresses(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "msticpyconfig.yaml")
	os.WriteFile(cfg, []byte("ContextProviders:\n  CMDB:\n    Provider: CLITestCMDB\n    Primary: true\n"), 0o600)
	out, stderr, code := runTI(t, "", "--config", cfg, "-o", "json", "context", "lookup", "--no-cache", "10.0.0.5", "8.8.8.8")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows := jsonRows(t, out)
	if len(rows) != 2 || rows[0]["Observable"] != "10.0.0.5" || rows[0]["StatusName"] != "found" || rows[1]["StatusName"] != "not found" {
		t.Errorf("rows %v", rows)
	}
	if _, ok := rows[0]["Severity"]; ok {
		t.Error("context rows have no Severity")
	}
	out, _, code = runTI(t, "", "--config", cfg, "-o", "json", "context", "providers")
	if code != 0 || !strings.Contains(out, `"CMDB"`) || !strings.Contains(out, `"ready"`) {
		t.Errorf("context providers: %d %s", code, out)
	}
}

// TestTIProvidersFeedsCounts: a Feeds entry lists its indicator counts per
// type and per source file, with a source that failed to load named beside
// the ones that loaded.
func TestTIProvidersFeedsCounts(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"ips.txt":  "# bad hosts\n1.2.3.4\n5.6.7.8\n198.51.0.0/16\nevil.example.com\nnot an indicator\n",
		"bad.json": "{\"type\": \"bundle\", \"objects\": [\n{,}\n]}",
		"wl.json":  `{"name":"Public DNS","type":"cidr","list":["8.8.8.0/24","1.1.1.1"],"description":"d","version":1}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(dir, "msticpyconfig.yaml")
	if err := os.WriteFile(cfg, []byte("TIProviders:\n  Offline:\n    Provider: Feeds\n    Primary: true\n    Args:\n      Files: ips.txt;bad.json\n      Warninglists: wl.json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runTI(t, "", "--config", cfg, "-o", "json", "ti", "providers")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows := jsonRows(t, out)
	if len(rows) != 4 {
		t.Fatalf("want the entry and three source rows, got %v", rows)
	}
	entry := rows[0]
	if entry["name"] != "Offline" || entry["role"] != "primary" || entry["status"] != "ready (1 of 2 feed sources failed to load)" ||
		!strings.Contains(fmt.Sprint(entry["description"]), "4 indicators from 2 feed sources and 1 warninglist") {
		t.Errorf("entry row %v", entry)
	}
	bySource := map[string]map[string]any{}
	for _, r := range rows[1:] {
		if r["name"] != "Offline" {
			t.Errorf("source row not named after its entry: %v", r)
		}
		bySource[filepath.Base(strings.Fields(fmt.Sprint(r["description"]))[0])] = r
	}
	ips := bySource["ips.txt"]
	if ips["role"] != "feed" || ips["types"] != "ipv4 2, ipv4_cidr 1, dns 1" ||
		!strings.HasPrefix(fmt.Sprint(ips["status"]), "loaded: 4 indicators (plain), 1 skipped (first: line 6") {
		t.Errorf("ips.txt row %v", ips)
	}
	if bad := bySource["bad.json"]; !strings.HasPrefix(fmt.Sprint(bad["status"]), "error: ") || !strings.Contains(fmt.Sprint(bad["status"]), "line 2") {
		t.Errorf("bad.json row %v", bad)
	}
	if wl := bySource["wl.json"]; wl["role"] != "warninglist" || !strings.HasPrefix(fmt.Sprint(wl["status"]), "loaded: 2 entries") {
		t.Errorf("wl.json row %v", wl)
	}
	// The table form shows the same rows.
	out, _, code = runTI(t, "", "--config", cfg, "ti", "providers")
	if code != 0 || !strings.Contains(out, "ipv4 2, ipv4_cidr 1, dns 1") || !strings.Contains(out, "bad.json") {
		t.Errorf("table listing: %d\n%s", code, out)
	}
}

// TestContextLookupServiceNowFaults runs the built-in ServiceNow provider
// from the CLI against an instance that answers 401 (with the submitted
// credentials echoed back) and one that answers an HTML page: every item
// gets its own row and status, the run exits 3, and neither the user name
// nor the password appears on stdout or stderr in any output format.
func TestContextLookupServiceNowFaults(t *testing.T) {
	const user, pass = "snow-svc-Secret-User", "Pa55-w0rd-Never-Shown"
	unauth := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, _ := r.BasicAuth()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":{"message":"User Not Authenticated","detail":"user %s password %s rejected"},"status":"failure"}`, u, p)
	}))
	defer unauth.Close()
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><head><title>Instance Hibernating</title></head><body>Log in again.</body></html>`)
	}))
	defer html.Close()
	for _, c := range []struct {
		name, base string
		want       string
	}{
		{"401", unauth.URL, "provider error"},
		{"html", html.URL, "unexpected response"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "msticpyconfig.yaml")
			body := fmt.Sprintf("ContextProviders:\n  ServiceNow:\n    Primary: true\n    Args:\n      Instance: test\n      BaseURL: %s\n"+
				"      ApiID: {EnvironmentVar: SNOW_USER}\n      AuthKey: {EnvironmentVar: SNOW_PASS}\n", c.base)
			if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, format := range []string{"json", "ndjson", "csv", "table"} {
				r := run(t, map[string]string{"SNOW_USER": user, "SNOW_PASS": pass},
					"--config", cfg, "-o", format, "--log-level", "debug", "context", "lookup", "--no-cache", "10.0.0.5", "user@example.com", "host01")
				if r.code != 3 {
					t.Errorf("%s: exit %d, want 3 (partial)\n%s", format, r.code, r.stderr)
				}
				for _, s := range []string{user, pass} {
					if strings.Contains(r.stdout+r.stderr, s) {
						t.Fatalf("%s: secret %q shown:\n%s\n%s", format, s, r.stdout, r.stderr)
					}
				}
				if format != "json" {
					continue
				}
				rows := jsonRows(t, r.stdout)
				if len(rows) != 3 {
					t.Fatalf("rows %v", rows)
				}
				// Every item fails on its own (host01, a single-label
				// name, is a hostname in context mode).
				for i, obs := range []string{"10.0.0.5", "user@example.com", "host01"} {
					if rows[i]["Observable"] != obs || rows[i]["StatusName"] != c.want {
						t.Errorf("row %d: %v, want %s %s", i, rows[i], obs, c.want)
					}
				}
				if rows[2]["ObservableType"] != "hostname" {
					t.Errorf("row 2: %v", rows[2])
				}
			}
		})
	}
}

// TestTILookupPrintsProgressively: with -o ndjson the first row is on
// stdout while a later lookup is still running (the provider holds it
// until the test has read that row), so results stream as they arrive.
func TestTILookupPrintsProgressively(t *testing.T) {
	release := make(chan struct{})
	holdRelease.Store(&release)
	defer holdRelease.Store(nil)
	cfg := filepath.Join(t.TempDir(), "msticpyconfig.yaml")
	if err := os.WriteFile(cfg, []byte("TIProviders:\n  Hold:\n    Provider: CLITestHold\n    Primary: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	var errb lockedBuffer
	go func() {
		code := Run(context.Background(), Env{Args: []string{"--config", cfg, "-o", "ndjson", "ti", "lookup", "--no-cache", "first.example.com", "hold.example.com"},
			Stdin: strings.NewReader(""), Stdout: pw, Stderr: &errb, Getenv: func(k string) string {
				if k == "HOME" {
					return cfg + ".home"
				}
				return ""
			}})
		pw.Close()
		done <- code
	}()
	lines := make(chan string, 4)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	select {
	case first := <-lines:
		if !strings.Contains(first, `"Ioc":"first.example.com"`) {
			t.Errorf("first line %s", first)
		}
	case <-time.After(10 * time.Second): // a fail-safe, not a timing assertion
		close(release)
		t.Fatal("no row printed while a later lookup was still running: output is not streamed")
	}
	close(release)
	second, ok := <-lines
	if !ok || !strings.Contains(second, `"Ioc":"hold.example.com"`) {
		t.Errorf("second line %q", second)
	}
	if code := <-done; code != 0 {
		t.Errorf("exit %d: %s", code, errb.String())
	}
}

// TestContextLookupProviderType: --type user (a type ServiceNow defines,
// not an indicator type) reaches the provider as MSTICPy's explicit
// observable_type="user" does; an unknown type is still exit 2, naming the
// types the selected providers add.
func TestContextLookupProviderType(t *testing.T) {
	var mu sync.Mutex
	var queries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		queries = append(queries, r.URL.Path+"?"+r.URL.Query().Get("sysparm_query"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"result": [{"sys_id": "u1", "user_name": "User01", "name": "User One", "email": "user@domain.com", "active": "true"}]}`)
	}))
	defer srv.Close()
	cfg := filepath.Join(t.TempDir(), "msticpyconfig.yaml")
	body := fmt.Sprintf("ContextProviders:\n  ServiceNow:\n    Primary: true\n    Args:\n      Instance: test\n      BaseURL: %s\n      ApiID: u\n      AuthKey: p\n", srv.URL)
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runTI(t, "", "--config", cfg, "-o", "json", "context", "lookup", "--no-cache", "--type", "User", " User01 ")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows := jsonRows(t, out)
	if len(rows) != 1 || rows[0]["ObservableType"] != "user" || rows[0]["SafeObservable"] != "User01" || rows[0]["StatusName"] != "found" {
		t.Errorf("rows %v", rows)
	}
	mu.Lock()
	if len(queries) != 1 || queries[0] != "/sys_user?nameLIKEUser01" {
		t.Errorf("requests %v", queries)
	}
	mu.Unlock()
	_, stderr, code = runTI(t, "", "--config", cfg, "context", "lookup", "--no-cache", "--type", "colour", "x")
	if code != ExitUsage || !strings.Contains(stderr, `unsupported observable type "colour"`) || !strings.Contains(stderr, "the selected providers also take: user") {
		t.Errorf("unknown type: exit %d %q", code, stderr)
	}
	// A per-row type column may name it too.
	out, stderr, code = runTI(t, "{\"o\":\"User01\",\"t\":\"user\"}\n{\"o\":\"x\",\"t\":\"colour\"}\n", "--config", cfg, "-o", "json",
		"context", "lookup", "--no-cache", "--column", "o", "--type-column", "t")
	rows = jsonRows(t, out)
	if code != ExitPartial || len(rows) != 2 || rows[0]["StatusName"] != "found" || rows[1]["StatusName"] != "invalid input" {
		t.Errorf("type column: exit %d rows %v %s", code, rows, stderr)
	}
}

// holdRelease, when set, holds the CLITestHold provider's "hold.*" lookups
// until it is closed.
var holdRelease atomic.Pointer[chan struct{}]

type cliHoldTI struct{}

func (cliHoldTI) SupportedTypes() []string { return []string{"dns"} }

func (cliHoldTI) Lookup(ctx context.Context, it lookup.Item) lookup.Result {
	if ch := holdRelease.Load(); ch != nil && strings.HasPrefix(it.Value, "hold.") {
		select {
		case <-*ch:
		case <-ctx.Done():
			return lookup.Result{Status: lookup.StatusTimeout, Message: "held"}
		}
	}
	return lookup.Result{Status: lookup.StatusNotFound}
}

func init() {
	registry.MustRegister(registry.Registration{Kind: registry.KindTI, Name: "CLITestHold", Description: "test provider",
		Factory: func(context.Context, registry.FactoryArgs) (any, error) { return cliHoldTI{}, nil }})
}

// lockedBuffer is a bytes.Buffer safe to read while the CLI writes to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestTILookupProgressWhileWaiting: the first lookup is held while the
// others finish. The progress bar (--progress always) must appear on stderr
// while nothing new arrives, and count the rows that finished out of order
// (2 of 3), not only those whose turn to print has come (none yet); the
// rows printed so far (none: the first one is held) are not affected, and
// the line is cleared at the end.
func TestTILookupProgressWhileWaiting(t *testing.T) {
	release := make(chan struct{})
	holdRelease.Store(&release)
	defer holdRelease.Store(nil)
	cfg := filepath.Join(t.TempDir(), "msticpyconfig.yaml")
	if err := os.WriteFile(cfg, []byte("TIProviders:\n  Hold:\n    Provider: CLITestHold\n    Primary: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(context.Background(), Env{Args: []string{"--config", cfg, "-o", "ndjson", "ti", "lookup", "--no-cache", "--progress", "always",
			"hold.example.com", "b.example.com", "c.example.com"},
			Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string {
				if k == "HOME" {
					return cfg + ".home"
				}
				return ""
			}})
	}()
	deadline := time.Now().Add(10 * time.Second) // a fail-safe, not a timing assertion
	for !strings.Contains(stderr.String(), " 2/3 lookups") {
		if time.Now().After(deadline) {
			close(release)
			<-done
			t.Fatalf("no progress line counting the 2 finished rows while the first was held; stderr %q", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if out := stdout.String(); out != "" {
		t.Errorf("a row was printed before the first one: %q", out)
	}
	close(release)
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.HasSuffix(stderr.String(), "\r\033[K") {
		t.Errorf("progress line not cleared at the end: %q", stderr.String())
	}
	if rows := ndjsonRows(t, stdout.String()); len(rows) != 3 || rows[0]["Ioc"] != "hold.example.com" {
		t.Errorf("rows %v", rows)
	}
}

// TestTIProvidersBuiltinLimits: a built-in's declared limits (VirusTotal's
// public API: 4/min, 500/day) are the entry's limits, and an entry's Args
// override them (a premium key).
func TestTIProvidersBuiltinLimits(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "msticpyconfig.yaml")
	body := `TIProviders:
  VirusTotal:
    Args:
      AuthKey: {EnvironmentVar: MAIN_KEY}
    Primary: true
  VTPremium:
    Provider: VirusTotal
    Args:
      AuthKey: {EnvironmentVar: MAIN_KEY}
      RateLimit: 1000/min
      DailyQuota: 100000
      Concurrency: 8
      Timeout: 10
      Retries: 0
`
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runTI(t, "", "--config", cfg, "-o", "json", "ti", "providers")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows := jsonRows(t, out)
	want := map[string]string{
		"VirusTotal": "4/min burst 4, 4 parallel, 500/day, timeout 30s, 2 retries",
		"VTPremium":  "1000/min burst 4, 8 parallel, 100000/day, timeout 10s, 0 retries",
	}
	if len(rows) != 2 {
		t.Fatalf("rows %v", rows)
	}
	for _, r := range rows {
		if r["limits"] != want[fmt.Sprint(r["name"])] || r["status"] != "ready" {
			t.Errorf("%v: limits %q status %q, want %q", r["name"], r["limits"], r["status"], want[fmt.Sprint(r["name"])])
		}
	}
	if strings.Contains(out+stderr, cliTestKey) {
		t.Error("key in listing")
	}
}

// TestTILookupFeedsCSVMissingColumn: a CSV feed whose mapped column is
// missing is reported on stderr (file, column, the columns there) and the
// other feeds of the entry still answer: exit 0.
func TestTILookupFeedsCSVMissingColumn(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ips.txt"), []byte("45.146.164.110\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.csv"), []byte("ioc,kind\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "msticpyconfig.yaml")
	body := "TIProviders:\n  Offline:\n    Provider: Feeds\n    Primary: true\n    Args:\n" +
		"      Files: ips.txt\n      Feed1: bad.csv\n      Feed1Columns: value=ioc,severity=sev\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, code := runTI(t, "", "--config", cfg, "-o", "json", "ti", "lookup", "--no-cache", "45.146.164.110")
	want := `bad.csv: CSV column \"sev\" (mapped to severity) not in the header (columns: ioc, kind)`
	if code != 0 || !strings.Contains(stderr, want) {
		t.Errorf("exit %d, stderr %q; want 0 and %q", code, stderr, want)
	}
	if rows := jsonRows(t, out); len(rows) != 1 || rows[0]["StatusName"] != "found" {
		t.Errorf("rows %v", rows)
	}
}
