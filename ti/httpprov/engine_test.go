package httpprov

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/registry"
)

const testKey = "k3y-Very-Secret+/="

const acmeDef = `kind: ti
provider_name: Acme
description: test provider
base_url: https://acme.example/api
settings:
  - {name: AuthKey, required: true, secret: true}
headers:
  X-Api-Key: "{AuthKey}"
limits: {per_second: 5, burst: 5, concurrency: 4, timeout: 5s, max_response_size: 1KiB}
queries:
  ipv4: {path: "/ip/{observable}"}
  url: {path: "/url/{observable|b64url}"}
  dns: {path: "/domain/{observable}", params: {full: "true", key: "{AuthKey}"}}
  dns-whois: {path: "/whois/{observable}", result: {severity: '"information"', details: 'response.registrar'}}
  linux_path: {path: "/path/{observable}/raw/{observable|raw}"}
type_aliases: {hostname: dns}
result:
  expect: 'type(response) == "map"'
  found: 'response.verdict != nil'
  severity: 'severity_of(response.score, 40, 80)'
  details: '{"score": response.score, "tags": response.tags}'
  reference: '"https://acme.example/ui/" + observable'
`

type hit struct {
	method, escPath, path, rawQuery string
	header                          http.Header
	body                            string
}

type testServer struct {
	*httptest.Server
	mu   sync.Mutex
	hits []hit
	fn   func(w http.ResponseWriter, r *http.Request)
}

func newTestServer(t testing.TB, fn func(w http.ResponseWriter, r *http.Request)) *testServer {
	ts := &testServer{fn: fn}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ts.mu.Lock()
		ts.hits = append(ts.hits, hit{r.Method, r.URL.EscapedPath(), r.URL.Path, r.URL.RawQuery, r.Header.Clone(), string(b)})
		ts.mu.Unlock()
		ts.fn(w, r)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *testServer) last() hit {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if len(ts.hits) == 0 {
		return hit{}
	}
	return ts.hits[len(ts.hits)-1]
}

func jsonReply(status int, body string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func mustDef(t testing.TB, src string) *Definition {
	t.Helper()
	d, err := ParseDefinition("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func mustProvider(t testing.TB, d *Definition, settings map[string]string, logs io.Writer) *Provider {
	t.Helper()
	if logs == nil {
		logs = io.Discard
	}
	inst, err := d.Registration(registry.PluginSource("test.yaml")).Factory(context.Background(), registry.FactoryArgs{
		Entry: d.Name, Settings: settings, Secrets: map[string]bool{"AuthKey": true},
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	return inst.(*Provider)
}

func TestPathEscapedExactlyOnce(t *testing.T) {
	ts := newTestServer(t, jsonReply(200, `{"verdict": "bad", "score": 90}`))
	p := mustProvider(t, mustDef(t, acmeDef), map[string]string{"AuthKey": testKey, "BaseURL": ts.URL}, nil)
	for _, v := range []string{"a/b", "100%", "a b", "q?x=1#f", "caf\u00e9", "%2F", "http://x.example/p?q=1"} {
		res := p.Lookup(context.Background(), lookup.Item{Ioc: v, Value: v, Type: "ipv4"})
		if res.Status != lookup.StatusFound {
			t.Fatalf("%q: status %v %s", v, res.Status, res.Message)
		}
		h := ts.last()
		if want := "/ip/" + url.PathEscape(v); h.escPath != want {
			t.Errorf("%q: escaped path %q, want %q", v, h.escPath, want)
		}
		if h.path != "/ip/"+v {
			t.Errorf("%q: decoded path %q: value not escaped exactly once", v, h.path)
		}
	}
	// {observable|raw} inserts the value unescaped; plain {observable} escapes.
	p.Lookup(context.Background(), lookup.Item{Value: "/etc/passwd", Type: "linux_path"})
	if h := ts.last(); h.escPath != "/path/%2Fetc%2Fpasswd/raw//etc/passwd" {
		t.Errorf("raw filter: path %q", h.escPath)
	}
}

func TestURLIdentifierIsUnpaddedBase64URL(t *testing.T) {
	ts := newTestServer(t, jsonReply(200, `{"verdict": "bad", "score": 10}`))
	p := mustProvider(t, mustDef(t, acmeDef), map[string]string{"AuthKey": testKey, "BaseURL": ts.URL}, nil)
	u := "http://218.54.47.76/?a=b~" // base64 of this has padding and '+' '/'
	p.Lookup(context.Background(), lookup.Item{Value: u, Type: "url"})
	want := "/url/" + base64.RawURLEncoding.EncodeToString([]byte(u))
	if h := ts.last(); h.escPath != want || strings.ContainsAny(h.escPath, "=+") {
		t.Errorf("path %q, want %q", h.escPath, want)
	}
}

func TestRequestShape(t *testing.T) {
	ts := newTestServer(t, jsonReply(200, `{"verdict": "bad", "score": 50, "tags": ["x"]}`))
	p := mustProvider(t, mustDef(t, acmeDef), map[string]string{"AuthKey": testKey, "BaseURL": ts.URL + "/"}, nil)
	res := p.Lookup(context.Background(), lookup.Item{Value: "example.org", Type: "hostname"})
	h := ts.last()
	if h.escPath != "/domain/example.org" {
		t.Errorf("alias hostname→dns: path %q", h.escPath)
	}
	q, _ := url.ParseQuery(h.rawQuery)
	if q.Get("full") != "true" || q.Get("key") != testKey {
		t.Errorf("query %q", h.rawQuery)
	}
	if h.header.Get("X-Api-Key") != testKey || !strings.HasPrefix(h.header.Get("User-Agent"), "msticgo/") {
		t.Errorf("headers %v", h.header)
	}
	if res.Severity != lookup.SevWarning || res.Reference != "https://acme.example/ui/example.org" {
		t.Errorf("result %+v", res)
	}
	// Sub-type with its own rules.
	ts.fn = jsonReply(200, `{"verdict": "x", "registrar": "Example Registrar"}`)
	res = p.Lookup(context.Background(), lookup.Item{Value: "example.org", Type: "dns", SubType: "whois"})
	if res.Details != "Example Registrar" || res.Severity != lookup.SevInformation || ts.last().escPath != "/whois/example.org" {
		t.Errorf("whois: %+v", res)
	}
	// Unsupported type and sub-type: no call.
	n := len(ts.hits)
	for _, it := range []lookup.Item{{Value: "a@b.example", Type: "email"}, {Value: "1.2.3.4", Type: "ipv4", SubType: "geo"}} {
		if r := p.Lookup(context.Background(), it); r.Status != lookup.StatusUnsupported {
			t.Errorf("%+v: status %v", it, r.Status)
		}
	}
	if len(ts.hits) != n {
		t.Error("unsupported items made calls")
	}
	if got := p.SupportedTypes(); strings.Join(got, ",") != "dns,dns-whois,hostname,hostname-whois,ipv4,linux_path,url" {
		t.Errorf("SupportedTypes = %v", got)
	}
	if l := p.Limits(); l.PerSecond != 5 || l.Concurrency != 4 || l.Timeout != 5*time.Second {
		t.Errorf("Limits = %+v", l)
	}
}

func TestStatusMapping(t *testing.T) {
	now := time.Date(2026, 12, 3, 20, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		status    int
		header    map[string]string
		body      string
		want      lookup.Status
		retry     time.Duration
		retryable bool
		msg       string
	}{
		{"found", 200, nil, `{"verdict": "bad", "score": 95}`, lookup.StatusFound, 0, false, ""},
		{"not found by rule", 200, nil, `{"score": 0}`, lookup.StatusNotFound, 0, false, ""},
		{"404", 404, nil, `{"error": "nope"}`, lookup.StatusNotFound, 0, false, ""},
		{"401", 401, nil, `{"error": "bad key ` + testKey + `"}`, lookup.StatusProviderError, 0, false, "Authorization failed"},
		{"403", 403, nil, ``, lookup.StatusProviderError, 0, false, "Request forbidden"},
		{"429 seconds", 429, map[string]string{"Retry-After": "7"}, `{}`, lookup.StatusRateLimited, 7 * time.Second, true, "rate limit"},
		{"429 date", 429, map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)}, ``, lookup.StatusRateLimited, 90 * time.Second, true, ""},
		{"429 no header", 429, nil, ``, lookup.StatusRateLimited, 0, true, ""},
		{"500", 500, nil, `oops`, lookup.StatusProviderError, 0, true, "HTTP 500"},
		{"503", 503, nil, ``, lookup.StatusProviderError, 0, true, ""},
		{"503 retry-after", 503, map[string]string{"Retry-After": "3"}, ``, lookup.StatusProviderError, 3 * time.Second, true, "HTTP 503"},
		{"400", 400, nil, `{"error": "bad"}`, lookup.StatusProviderError, 0, false, "HTTP 400"},
		{"html", 200, nil, `<!DOCTYPE html><html><body>` + strings.Repeat("maintenance ", 50) + `</body></html>`, lookup.StatusUnexpected, 0, false, "not JSON"},
		{"empty list", 200, nil, `[]`, lookup.StatusUnexpected, 0, false, "shape"},
		{"null score", 200, nil, `{"verdict": "bad", "score": null}`, lookup.StatusUnexpected, 0, false, "score is null"},
		{"empty body", 200, nil, ``, lookup.StatusUnexpected, 0, false, "empty"},
		{"204", 204, nil, ``, lookup.StatusNotFound, 0, false, ""},
		{"too big", 200, nil, `{"verdict": "` + strings.Repeat("x", 2000) + `"}`, lookup.StatusUnexpected, 0, false, "larger than 1024"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			var logs bytes.Buffer
			p := mustProvider(t, mustDef(t, acmeDef), map[string]string{"AuthKey": testKey, "BaseURL": ts.URL}, &logs)
			p.nowFn = func() time.Time { return now }
			res := p.Lookup(context.Background(), lookup.Item{Value: "203.0.113.5", Type: "ipv4"})
			if res.Status != tt.want {
				t.Fatalf("status %v (%s), want %v", res.Status, res.Message, tt.want)
			}
			if res.RetryAfter != tt.retry || res.Retryable != tt.retryable {
				t.Errorf("RetryAfter %v Retryable %v, want %v %v", res.RetryAfter, res.Retryable, tt.retry, tt.retryable)
			}
			if !strings.Contains(res.Message, tt.msg) {
				t.Errorf("message %q lacks %q", res.Message, tt.msg)
			}
			if ex, ok := res.RawResult.(string); ok && utf8.RuneCountInString(ex) > excerptLen {
				t.Errorf("excerpt of %d characters", utf8.RuneCountInString(ex))
			}
			all := fmt.Sprintf("%#v", res) + logs.String()
			for _, form := range []string{testKey, url.QueryEscape(testKey), url.PathEscape(testKey)} {
				if strings.Contains(all, form) {
					t.Errorf("key leaked: %s", all)
				}
			}
		})
	}
}

func TestTimeoutKeepsOthers(t *testing.T) {
	release := make(chan struct{})
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/stall") {
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		io.WriteString(w, `{"verdict": "bad", "score": 1}`)
	})
	defer close(release)
	p := mustProvider(t, mustDef(t, acmeDef), map[string]string{"AuthKey": testKey, "BaseURL": ts.URL, "timeout": "0.2"}, nil)
	res := p.Lookup(context.Background(), lookup.Item{Value: "stall", Type: "ipv4"})
	if res.Status != lookup.StatusTimeout {
		t.Fatalf("stalled item: %v %s", res.Status, res.Message)
	}
	if res := p.Lookup(context.Background(), lookup.Item{Value: "ok", Type: "ipv4"}); res.Status != lookup.StatusFound {
		t.Errorf("next item after a timeout: %v", res.Status)
	}
	// A caller deadline wins over the provider's own.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if res := p.Lookup(ctx, lookup.Item{Value: "stall", Type: "ipv4"}); res.Status != lookup.StatusTimeout {
		t.Errorf("caller deadline: %v", res.Status)
	}
}

func TestTransportErrorHidesKey(t *testing.T) {
	ts := newTestServer(t, jsonReply(200, `{}`))
	base := ts.URL
	ts.Close() // connection refused
	var logs bytes.Buffer
	p := mustProvider(t, mustDef(t, acmeDef), map[string]string{"AuthKey": testKey, "BaseURL": base}, &logs)
	res := p.Lookup(context.Background(), lookup.Item{Value: "example.org", Type: "dns"}) // key in the query string
	if res.Status != lookup.StatusProviderError || res.Retryable || !res.NotSent {
		t.Fatalf("status %v retryable %v not sent %v (a refused connection is not retried)", res.Status, res.Retryable, res.NotSent)
	}
	all := fmt.Sprintf("%#v", res) + logs.String()
	if strings.Contains(all, testKey) || strings.Contains(all, url.QueryEscape(testKey)) {
		t.Errorf("key leaked: %s", all)
	}
}

func TestRedirectToOtherHostNotFollowed(t *testing.T) {
	var other atomic.Int32
	evil := newTestServer(t, func(w http.ResponseWriter, r *http.Request) { other.Add(1) })
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)+"/steal", http.StatusFound)
	})
	p := mustProvider(t, mustDef(t, acmeDef), map[string]string{"AuthKey": testKey, "BaseURL": ts.URL}, nil)
	res := p.Lookup(context.Background(), lookup.Item{Value: "203.0.113.5", Type: "ipv4"})
	if other.Load() != 0 {
		t.Fatal("redirect to another host was followed with the key")
	}
	if res.Status != lookup.StatusProviderError {
		t.Errorf("status %v", res.Status)
	}
}

func TestProxyFromEnvironment(t *testing.T) {
	var seen atomic.Value
	proxy := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.URL.String())
		io.WriteString(w, `{"verdict": "bad", "score": 99}`)
	})
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("HTTPS_PROXY", proxy.URL)
	t.Setenv("NO_PROXY", "")
	p := mustProvider(t, mustDef(t, acmeDef), map[string]string{"AuthKey": testKey, "BaseURL": "http://ti.example.invalid/api"}, nil)
	res := p.Lookup(context.Background(), lookup.Item{Value: "203.0.113.5", Type: "ipv4"})
	if res.Status != lookup.StatusFound || seen.Load() != "http://ti.example.invalid/api/ip/203.0.113.5" {
		t.Fatalf("via proxy: %v %v", res.Status, seen.Load())
	}
	// NO_PROXY: the provider connects to the host itself. The dialer takes
	// that connection to a loopback server (no name is resolved), and
	// records which address the client asked for.
	var direct atomic.Value
	directSrv := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		direct.Store(r.URL.String())
		io.WriteString(w, `{"verdict": "bad", "score": 99}`)
	})
	t.Setenv("NO_PROXY", "ti.example.invalid")
	p = mustProvider(t, mustDef(t, acmeDef), map[string]string{"AuthKey": testKey, "BaseURL": "http://ti.example.invalid/api"}, nil)
	var dialed atomic.Value
	setDialer(p, func(ctx context.Context, network, addr string) (net.Conn, error) {
		dialed.Store(addr)
		var d net.Dialer
		return d.DialContext(ctx, network, strings.TrimPrefix(directSrv.URL, "http://"))
	})
	seen.Store("")
	res = p.Lookup(context.Background(), lookup.Item{Value: "203.0.113.6", Type: "ipv4"})
	if seen.Load() != "" {
		t.Errorf("NO_PROXY ignored: the proxy got %v", seen.Load())
	}
	if res.Status != lookup.StatusFound || dialed.Load() != "ti.example.invalid:80" || direct.Load() != "/api/ip/203.0.113.6" {
		t.Errorf("direct: %v %s, dialed %v, server got %v", res.Status, res.Message, dialed.Load(), direct.Load())
	}
}

// A context provider in the same format: HTTP Basic, a templated base URL,
// templated query parameters and a list answer ({result: [...]}), as the
// ServiceNow definition needs.
const serviceNowLike = `kind: context
provider_name: SNowTest
base_url: "https://{Instance}.service-now.example/api/now/table"
settings:
  - {name: Instance, required: true}
  - {name: ApiID, required: true, secret: true}
  - {name: AuthKey, required: true, secret: true}
basic_auth: {username: "{ApiID}", password: "{AuthKey}"}
headers: {Accept-Charset: UTF-8}
params: {sysparm_display_value: "true", sysparm_limit: "10"}
queries:
  ipv4: {path: /cmdb_ci_computer, params: {sysparm_query: "ip_addressLIKE{observable}"}}
  email: {path: /sys_user, params: {sysparm_query: "email={observable}"}}
result:
  expect: 'type(response) == "map" && type(response.result) == "array"'
  found: 'len(filter(response.result, ioc_type != "ipv4" || observable in split(replace(str(#.ip_address), " ", ""), ","))) > 0'
  details: |
    map(filter(response.result, ioc_type != "ipv4" || observable in split(replace(str(#.ip_address), " ", ""), ",")),
        ({"hostname": #.hostname, "sys_id": #.sys_id, "permalink": url + "/" + str(#.sys_id)}))
`

func TestContextProviderBasicAuthListAnswer(t *testing.T) {
	ts := newTestServer(t, jsonReply(200, `{"result": [
		{"hostname": "host1", "sys_id": "abc", "ip_address": "10.0.0.1, 10.0.0.2"},
		{"hostname": "host2", "sys_id": "def", "ip_address": "10.0.0.10"}]}`))
	d := mustDef(t, serviceNowLike)
	if d.Kind != registry.KindContext || d.Registration(registry.Builtin).Kind != registry.KindContext {
		t.Fatal("kind context not kept")
	}
	p := mustProvider(t, d, map[string]string{"Instance": "test", "ApiID": "svc_user", "AuthKey": testKey, "BaseURL": ts.URL}, nil)
	res := p.Lookup(context.Background(), lookup.Item{Value: "10.0.0.1", Type: "ipv4"})
	if res.Status != lookup.StatusFound {
		t.Fatalf("status %v %s", res.Status, res.Message)
	}
	list, _ := res.Details.([]any)
	if len(list) != 1 || list[0].(map[string]any)["permalink"] != ts.URL+"/cmdb_ci_computer/abc" {
		t.Errorf("details %#v", res.Details)
	}
	h := ts.last()
	q, _ := url.ParseQuery(h.rawQuery)
	if q.Get("sysparm_query") != "ip_addressLIKE10.0.0.1" || q.Get("sysparm_limit") != "10" || q.Get("sysparm_display_value") != "true" {
		t.Errorf("query %q", h.rawQuery)
	}
	r, _ := http.NewRequest("GET", "/", nil)
	r.Header = h.header
	if u, pw, ok := r.BasicAuth(); !ok || u != "svc_user" || pw != testKey {
		t.Errorf("basic auth %q %v", u, ok)
	}
	if res := p.Lookup(context.Background(), lookup.Item{Value: "10.0.0.3", Type: "ipv4"}); res.Status != lookup.StatusNotFound {
		t.Errorf("filtered miss: %v", res.Status)
	}
	// Without BaseURL the Instance setting fills the base URL.
	p2 := mustProvider(t, d, map[string]string{"Instance": "acme", "ApiID": "u", "AuthKey": "p"}, nil)
	if p2.base != "https://acme.service-now.example/api/now/table" {
		t.Errorf("base %q", p2.base)
	}
	// A missing required setting: not configured, naming it.
	_, err := d.New(registry.FactoryArgs{Settings: map[string]string{"Instance": "x", "ApiID": "u"}})
	var me *MissingSettingError
	if !errors.As(err, &me) || !me.NotConfigured() || me.Settings[0] != "AuthKey" {
		t.Errorf("err %v", err)
	}
}

func TestPostBodies(t *testing.T) {
	def := `kind: ti
provider_name: PostTest
base_url: https://x.example
settings: [{name: AuthKey, secret: true}]
headers: {Auth-Key: "{AuthKey}"}
queries:
  md5_hash: {path: /api/, form: {query: get_info, hash: "{observable}"}}
  ipv4: {path: /api/, body: {query: search_ioc, term: "{observable}", exact: true, list: ["{observable|upper}", 3]}}
result:
  found: 'response.query_status == "ok"'
`
	ts := newTestServer(t, jsonReply(200, `{"query_status": "ok"}`))
	p := mustProvider(t, mustDef(t, def), map[string]string{"BaseURL": ts.URL}, nil)
	p.Lookup(context.Background(), lookup.Item{Value: "d41d8cd98f00b204e9800998ecf8427e", Type: "md5_hash"})
	h := ts.last()
	if h.method != "POST" || h.body != "hash=d41d8cd98f00b204e9800998ecf8427e&query=get_info" {
		t.Errorf("form: %s %q", h.method, h.body)
	}
	if _, ok := h.header["Auth-Key"]; ok {
		t.Error("a header made only of an unset optional setting must be omitted")
	}
	p.Lookup(context.Background(), lookup.Item{Value: "a\"b", Type: "ipv4"})
	if h := ts.last(); h.body != `{"exact":true,"list":["A\"B",3],"query":"search_ioc","term":"a\"b"}` {
		t.Errorf("json body %q", h.body)
	}
}

func TestListMode(t *testing.T) {
	var calls atomic.Int32
	var fail atomic.Bool
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if fail.Load() && r.URL.Path == "/primary" {
			w.WriteHeader(500)
			return
		}
		switch r.URL.Path {
		case "/primary":
			io.WriteString(w, "ExitNode AAA\nPublished 2026-12-01 00:00:00\nLastStatus 2026-12-02 01:00:00\nExitAddress 203.0.113.1 2026-12-02\nExitAddress 2001:0db8::0001 x\n")
		case "/fallback":
			io.WriteString(w, "# comment\n203.0.113.9\nnot-an-ip\n")
		}
	})
	def := `kind: ti
provider_name: ListTest
mode: list
base_url: https://list.example
types: [ipv4, ipv6]
list:
  key: ip
  ttl: 1h
  sources:
    - {path: /primary, format: stanzas, start: ExitNode, emit: ExitAddress}
    - {path: /fallback, format: lines}
result:
  severity: '"warning"'
  details: '{"node": response.ExitNode, "status": response.LastStatus}'
`
	p := mustProvider(t, mustDef(t, def), map[string]string{"BaseURL": ts.URL}, nil)
	now := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	p.nowFn = func() time.Time { return now }
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := p.Lookup(context.Background(), lookup.Item{Value: "203.0.113.1", Type: "ipv4"}); r.Status != lookup.StatusFound {
				t.Errorf("hit: %v %s", r.Status, r.Message)
			}
		}()
	}
	wg.Wait()
	if calls.Load() != 1 {
		t.Errorf("%d downloads for 20 concurrent lookups, want 1", calls.Load())
	}
	r := p.Lookup(context.Background(), lookup.Item{Value: "2001:db8::1", Type: "ipv6"})
	if r.Status != lookup.StatusFound || r.Severity != lookup.SevWarning || fmt.Sprint(r.Details) != "map[node:AAA status:2026-12-02]" {
		t.Errorf("ipv6 normalised hit: %+v", r)
	}
	if r := p.Lookup(context.Background(), lookup.Item{Value: "203.0.113.2", Type: "ipv4"}); r.Status != lookup.StatusNotFound {
		t.Errorf("miss: %v", r.Status)
	}
	if r := p.Lookup(context.Background(), lookup.Item{Value: "x.example", Type: "dns"}); r.Status != lookup.StatusUnsupported {
		t.Errorf("dns: %v", r.Status)
	}
	// After the TTL the primary fails: the fallback list is used.
	fail.Store(true)
	now = now.Add(2 * time.Hour)
	if r := p.Lookup(context.Background(), lookup.Item{Value: "203.0.113.9", Type: "ipv4"}); r.Status != lookup.StatusFound {
		t.Errorf("fallback hit: %v %s", r.Status, r.Message)
	}
	if r := p.Lookup(context.Background(), lookup.Item{Value: "203.0.113.1", Type: "ipv4"}); r.Status != lookup.StatusNotFound {
		t.Errorf("refreshed list still has the old entry: %v", r.Status)
	}
}

// TestListModeFailures: a list source that answers 2xx with something that
// is not a list (a maintenance page, an empty body) gives every item
// "unexpected response" with a short excerpt; HTTP errors and unreachable
// sources give "provider error". The first failing source is the one
// reported, and a failed download is not repeated for every item.
func TestListModeFailures(t *testing.T) {
	const def = `kind: ti
provider_name: ListFail
mode: list
base_url: https://list.example
types: [ipv4]
list:
  key: ip
  sources:
    - {path: /primary, format: stanzas, start: ExitNode, emit: ExitAddress}
    - {path: /fallback, format: lines}
result:
  severity: '"warning"'
`
	page := "<html><head><title>Maintenance</title></head><body>" + strings.Repeat("Back soon. ", 60) + "</body></html>"
	tests := []struct {
		name              string
		primary, fallback func(w http.ResponseWriter)
		want              lookup.Status
		msg               string
	}{
		{"html page", func(w http.ResponseWriter) { io.WriteString(w, page) }, func(w http.ResponseWriter) { w.WriteHeader(503) },
			lookup.StatusUnexpected, "unexpected response (the list has no entries): <html><head><title>Maintenance"},
		{"empty body", func(w http.ResponseWriter) {}, func(w http.ResponseWriter) { io.WriteString(w, "# nothing\nnot-an-ip\n") },
			lookup.StatusUnexpected, "unexpected response (empty body)"},
		{"no usable line", func(w http.ResponseWriter) { io.WriteString(w, "# nothing\nnot-an-ip\n") }, func(w http.ResponseWriter) {},
			lookup.StatusUnexpected, "unexpected response (the list has no entries): # nothing not-an-ip"},
		{"http errors", func(w http.ResponseWriter) { w.WriteHeader(500) }, func(w http.ResponseWriter) { io.WriteString(w, page) },
			lookup.StatusProviderError, "cannot load its list: HTTP 500"},
		{"fallback saves", func(w http.ResponseWriter) { io.WriteString(w, page) }, func(w http.ResponseWriter) { io.WriteString(w, "203.0.113.1\n") },
			lookup.StatusFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/primary" {
					tt.primary(w)
				} else {
					tt.fallback(w)
				}
			})
			p := mustProvider(t, mustDef(t, def), map[string]string{"BaseURL": ts.URL}, nil)
			for range 3 {
				r := p.Lookup(context.Background(), lookup.Item{Value: "203.0.113.1", Type: "ipv4"})
				if r.Status != tt.want || !strings.Contains(r.Message, tt.msg) {
					t.Fatalf("%v %q; want %v containing %q", r.Status, r.Message, tt.want, tt.msg)
				}
				if r.Status == lookup.StatusUnexpected && tt.name != "empty body" {
					ex, _ := r.RawResult.(string)
					if ex == "" || utf8.RuneCountInString(ex) > 200 || !strings.HasPrefix(r.Reference, ts.URL+"/primary") {
						t.Errorf("excerpt %q (%d chars), reference %q", ex, utf8.RuneCountInString(ex), r.Reference)
					}
				}
			}
			ts.mu.Lock()
			n := len(ts.hits)
			ts.mu.Unlock()
			if n != 2 && tt.want != lookup.StatusFound {
				t.Errorf("%d downloads for 3 lookups, want 2 (each source once)", n)
			}
		})
	}
}

func TestDefinitionErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"empty", ``, "test.yaml: invalid provider definition: empty file"},
		{"no kind", "provider_name: X\nbase_url: https://x\nqueries: {ipv4: {path: /}}\n", "test.yaml:1: kind: invalid provider definition: missing"},
		{"bad kind", "kind: data\nprovider_name: X\n", "test.yaml:1: kind:"},
		{"unknown key", "kind: ti\nprovider_name: X\nbase_url: https://x\nqueries: {ipv4: {path: /}}\nheaderz: {}\n", "test.yaml:5: headerz: invalid provider definition: unknown key"},
		{"unknown query key", "kind: ti\nprovider_name: X\nbase_url: https://x\nqueries:\n  ipv4: {path: /, paht: /x}\n", "test.yaml:5:"},
		{"bad type", "kind: ti\nprovider_name: X\nbase_url: https://x\nqueries:\n  ipv5: {path: /}\n", "test.yaml:5: queries.ipv5: invalid provider definition: unknown indicator type \"ipv5\""},
		{"unknown var", "kind: ti\nprovider_name: X\nbase_url: https://x\nqueries:\n  ipv4:\n    path: /{AuthKey}\n", "test.yaml:6: queries.ipv4.path: invalid provider definition: template \"/{AuthKey}\": unknown variable {AuthKey}"},
		{"unknown filter", "kind: ti\nprovider_name: X\nbase_url: https://x\nqueries:\n  ipv4:\n    path: /{observable|b32}\n", "test.yaml:6: queries.ipv4.path:"},
		{"bad expr", "kind: ti\nprovider_name: X\nbase_url: https://x\nqueries: {ipv4: {path: /}}\nresult:\n  found: 'response.a ==== 1'\n", "test.yaml:6: result.found: invalid provider definition: expression does not compile"},
		{"found not bool", "kind: ti\nprovider_name: X\nbase_url: https://x\nqueries: {ipv4: {path: /}}\nresult:\n  found: '\"yes\"'\n", "test.yaml:6: result.found:"},
		{"unknown helper", "kind: ti\nprovider_name: X\nbase_url: https://x\nqueries: {ipv4: {path: /}}\nresult:\n  details: 'frobnicate(response)'\n", "test.yaml:6: result.details:"},
		{"helper arg type", "kind: ti\nprovider_name: X\nbase_url: https://x\nqueries: {ipv4: {path: /}}\nresult:\n  reference: 'b64url(1)'\n", "test.yaml:6: result.reference:"},
		{"query rule line", "kind: ti\nprovider_name: X\nbase_url: https://x\nqueries:\n  ipv4:\n    path: /\n    result:\n      severity: 'response.'\n", "test.yaml:8: queries.ipv4.result.severity:"},
		{"bad method", "kind: ti\nprovider_name: X\nbase_url: https://x\nqueries:\n  ipv4: {path: /, method: PUT}\n", "queries.ipv4.method"},
		{"bad limits", "kind: ti\nprovider_name: X\nbase_url: https://x\nlimits: {timeout: soon}\nqueries: {ipv4: {path: /}}\n", "test.yaml:4: limits.timeout:"},
		{"alias target", "kind: ti\nprovider_name: X\nbase_url: https://x\nqueries: {ipv4: {path: /}}\ntype_aliases: {ipv6: dns}\n", "type_aliases.ipv6: invalid provider definition: target \"dns\" has no query"},
		{"yaml syntax", "kind: ti\nprovider_name: [\n", "test.yaml:2:"},
		{"list without types", "kind: ti\nprovider_name: X\nmode: list\nbase_url: https://x\nlist: {sources: [{path: /a, format: lines}]}\n", "types: invalid provider definition: mode list needs types"},
		{"no queries", "kind: ti\nprovider_name: X\nbase_url: https://x\n", "queries: invalid provider definition: missing"},
		{"reserved setting", "kind: ti\nprovider_name: X\nbase_url: https://x\nsettings: [{name: observable}]\nqueries: {ipv4: {path: /}}\n", "settings[0].name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDefinition("test.yaml", []byte(tt.src))
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tt.want)
			}
			if !errors.Is(err, ErrDefinition) {
				t.Errorf("error does not wrap ErrDefinition")
			}
		})
	}
}

func TestBadBaseURLSetting(t *testing.T) {
	d := mustDef(t, acmeDef)
	for _, b := range []string{"ftp://x.example", "not a url", "http://"} {
		if _, err := d.New(registry.FactoryArgs{Settings: map[string]string{"AuthKey": testKey, "BaseURL": b}}); !errors.Is(err, ErrBadSetting) {
			t.Errorf("BaseURL %q: err %v", b, err)
		}
	}
	if _, err := d.New(registry.FactoryArgs{Settings: map[string]string{"AuthKey": testKey, "timeout": "later"}}); !errors.Is(err, ErrBadSetting) {
		t.Errorf("timeout: err %v", err)
	}
}

func TestLoadDefinitionFile(t *testing.T) {
	if _, err := LoadDefinition("testdata/does-not-exist.yaml"); err == nil {
		t.Fatal("no error for a missing file")
	}
	d, err := LoadDefinition("../builtin/defs/virustotal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "VirusTotal" || d.File != "../builtin/defs/virustotal.yaml" {
		t.Errorf("%s %s", d.Name, d.File)
	}
}

func TestEchoedKeyInHeaderRedacted(t *testing.T) {
	def := strings.Replace(acmeDef, `details: '{"score": response.score, "tags": response.tags}'`, `details: 'headers'`, 1)
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Echo", "your key is "+r.Header.Get("X-Api-Key"))
		io.WriteString(w, `{"verdict": "bad", "score": 10}`)
	})
	p := mustProvider(t, mustDef(t, def), map[string]string{"AuthKey": testKey, "BaseURL": ts.URL}, nil)
	res := p.Lookup(context.Background(), lookup.Item{Value: "203.0.113.5", Type: "ipv4"})
	if res.Status != lookup.StatusFound {
		t.Fatal(res.Status, res.Message)
	}
	if s := fmt.Sprintf("%#v", res); strings.Contains(s, testKey) || !strings.Contains(s, "your key is ***") {
		t.Errorf("header echo: %s", s)
	}
}

// TestEngineHonoursRetryAfterBothForms runs a declarative provider on the
// lookup engine against a server that first answers 429 with Retry-After,
// in its seconds form for one item and its HTTP-date form for another,
// then answers normally: each item is waited for, retried once and found,
// while an item that is never throttled completes at once.
func TestEngineHonoursRetryAfterBothForms(t *testing.T) {
	var mu sync.Mutex
	calls := map[string][]time.Time{}
	// The 429s are sent only once the unthrottled item's call has arrived,
	// so its start never races the provider-wide pause they cause.
	unthrottledSeen := make(chan struct{})
	var seenOnce sync.Once
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		v := strings.TrimPrefix(r.URL.Path, "/ip/")
		mu.Lock()
		calls[v] = append(calls[v], time.Now())
		n := len(calls[v])
		mu.Unlock()
		if v == "9.9.9.9" {
			seenOnce.Do(func() { close(unthrottledSeen) })
		} else if n == 1 {
			select {
			case <-unthrottledSeen:
			case <-r.Context().Done():
			}
		}
		switch {
		case v == "1.1.1.1" && n == 1:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		case v == "8.8.4.4" && n == 1:
			// An HTTP date two seconds ahead: at second granularity the
			// wait is between one and two seconds.
			w.Header().Set("Retry-After", time.Now().Add(2*time.Second).UTC().Format(http.TimeFormat))
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		jsonReply(200, `{"verdict": "bad", "score": 90}`)(w, r)
	})
	p := mustProvider(t, mustDef(t, acmeDef), map[string]string{"AuthKey": testKey, "BaseURL": ts.URL}, nil)
	e := lookup.NewEngine([]lookup.ProviderSpec{{Name: "Acme", Provider: p, Limits: lookup.Limits{Retries: 1}}},
		lookup.Options{Prepare: lookup.IOCPreparer, BackoffBase: time.Millisecond})
	defer e.Close()
	var done sync.Map
	e.Stream(context.Background(), []lookup.Input{{Value: "1.1.1.1"}, {Value: "8.8.4.4"}, {Value: "9.9.9.9"}},
		func(r lookup.Row) { done.Store(r.Item.Value, r) })
	for _, v := range []string{"1.1.1.1", "8.8.4.4", "9.9.9.9"} {
		r, _ := done.Load(v)
		row, _ := r.(lookup.Row)
		if row.Result.Status != lookup.StatusFound {
			t.Errorf("%s: %v (%s)", v, row.Result.Status, row.Result.Message)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for v, min := range map[string]time.Duration{"1.1.1.1": time.Second, "8.8.4.4": 900 * time.Millisecond} {
		c := calls[v]
		if len(c) != 2 {
			t.Errorf("%s: %d calls, want 2 (one retry)", v, len(c))
			continue
		}
		if gap := c[1].Sub(c[0]); gap < min {
			t.Errorf("%s: retried after %v, before the Retry-After of at least %v", v, gap, min)
		}
	}
	// The unthrottled item is asked once. (When it is sent is not checked:
	// a 429 pauses the whole provider, so on a busy machine it may
	// legitimately wait behind the pause.)
	if len(calls["9.9.9.9"]) != 1 {
		t.Errorf("the unthrottled item was asked %d times, want 1", len(calls["9.9.9.9"]))
	}
}

// TestFaultBulkDeclarative sends issue 4's bad-input bulk through a
// declarative provider and the lookup engine: a hit, a 404 miss,
// zz-not-a-hash, a malformed URL, a private IP, an IDN domain in its
// Unicode and punycode forms, the hit again in another letter case, a
// defanged URL and an HTML answer. One row each, in order, with the right
// status; one call per distinct valid value and none for the others; the
// key in no row.
func TestFaultBulkDeclarative(t *testing.T) {
	const def = `kind: ti
provider_name: Bulk
base_url: https://bulk.example
settings:
  - {name: AuthKey, required: true, secret: true}
headers: {X-Key: "{AuthKey}"}
limits: {concurrency: 4, timeout: 5s, retries: 1}
queries:
  ipv4: {path: "/ip/{observable}"}
  dns: {path: "/domain/{observable}"}
  url: {path: "/url/{observable|b64url}"}
  file_hash: {path: "/file/{observable}"}
type_aliases: {md5_hash: file_hash, sha1_hash: file_hash, sha256_hash: file_hash}
result:
  expect: 'type(response) == "map" && response.score != nil'
  found: 'response.score > 0'
  severity: 'severity_of(response.score, 40, 80)'
  details: '{"score": response.score}'
`
	hashPath := "/file/44d88612fea8a8f36de82e1278abb02f"
	urlPath := "/url/" + base64.RawURLEncoding.EncodeToString([]byte("https://evil.example.com/x"))
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case hashPath:
			jsonReply(200, `{"score": 90}`)(w, r)
		case urlPath:
			jsonReply(200, `{"score": 50}`)(w, r)
		case "/domain/xn--bcher-kva.de":
			jsonReply(200, `{"score": 0}`)(w, r)
		case "/ip/8.8.4.4":
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html><body>Service temporarily unavailable "+r.Header.Get("X-Key")+"</body></html>")
		default:
			jsonReply(404, `{"error": "unknown"}`)(w, r)
		}
	})
	p := mustProvider(t, mustDef(t, def), map[string]string{"AuthKey": testKey, "BaseURL": ts.URL}, nil)
	e := lookup.NewEngine([]lookup.ProviderSpec{{Name: "Bulk", Provider: p, Primary: true}}, lookup.Options{Prepare: lookup.IOCPreparer})
	defer e.Close()
	tests := []struct {
		in, typ string
		want    lookup.Status
		sev     lookup.Severity
		msg     string
	}{
		{"44D88612FEA8A8F36DE82E1278ABB02F", "", lookup.StatusFound, lookup.SevHigh, ""},
		{"1.1.1.1", "", lookup.StatusNotFound, lookup.SevInformation, ""},
		{"zz-not-a-hash", "md5_hash", lookup.StatusInvalid, lookup.SevUnknown, "md5_hash"},
		{"http://[::1", "url", lookup.StatusInvalid, lookup.SevUnknown, ""},
		{"10.1.2.3", "", lookup.StatusNotRoutable, lookup.SevUnknown, "not routable: private"},
		{"bücher.de", "", lookup.StatusNotFound, lookup.SevInformation, ""},
		{"xn--bcher-kva.de", "", lookup.StatusNotFound, lookup.SevInformation, ""},
		{"44d88612fea8a8f36de82e1278abb02f", "", lookup.StatusFound, lookup.SevHigh, ""},
		{"hxxps://evil[.]example[.]com/x", "", lookup.StatusFound, lookup.SevWarning, ""},
		{"8.8.4.4", "", lookup.StatusUnexpected, lookup.SevUnknown, "Service temporarily unavailable"},
	}
	in := make([]lookup.Input, len(tests))
	for i, tt := range tests {
		in[i] = lookup.Input{Value: tt.in, Type: tt.typ}
	}
	rows, sum, err := e.Rows(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(tests) {
		t.Fatalf("%d rows for %d inputs", len(rows), len(tests))
	}
	for i, tt := range tests {
		r := rows[i]
		if r.Index != i || r.Item.Ioc != tt.in || r.Result.Status != tt.want || r.Result.Severity != tt.sev || !strings.Contains(r.Result.Message, tt.msg) {
			t.Errorf("row %d (%q): %v %v %q; want %v %v %q", i, r.Item.Ioc, r.Result.Status, r.Result.Severity, r.Result.Message, tt.want, tt.sev, tt.msg)
		}
		if s := fmt.Sprintf("%#v", r); strings.Contains(s, testKey) {
			t.Errorf("row %d holds the key: %s", i, s)
		}
	}
	ts.mu.Lock()
	paths := map[string]int{}
	for _, h := range ts.hits {
		paths[h.path]++
	}
	ts.mu.Unlock()
	want := map[string]int{hashPath: 1, "/ip/1.1.1.1": 1, "/domain/xn--bcher-kva.de": 1, urlPath: 1, "/ip/8.8.4.4": 1}
	if fmt.Sprint(paths) != fmt.Sprint(want) || sum.Calls != 5 {
		t.Errorf("calls %v (engine %d), want %v", paths, sum.Calls, want)
	}
}

// TestEchoedEncodedKeyRedacted: a service echoing the request back shows
// the key in the forms the request carried it: the Basic credentials
// (base64 of user:key), b64/b64url template filters, and URL escapes
// including %20 for a space. Every form is redacted from the result.
func TestEchoedEncodedKeyRedacted(t *testing.T) {
	const key = `S3cr"et/Key+with=sp ace\x`
	const def = `kind: ti
provider_name: EchoIntel
base_url: http://127.0.0.1/api
settings:
  - {name: AuthKey, required: true, secret: true}
  - {name: ApiID, required: true}
headers:
  X-Key-B64: "{AuthKey|b64}"
  X-Key-B64URL: "{AuthKey|b64url}"
params: {key: "{AuthKey}"}
basic_auth: {username: "{ApiID}", password: "{AuthKey}"}
queries:
  ipv4: {path: "/ip/{observable}"}
result:
  details: 'response'
`
	b64 := base64.StdEncoding.EncodeToString([]byte(key))
	b64url := base64.RawURLEncoding.EncodeToString([]byte(key))
	basic := base64.StdEncoding.EncodeToString([]byte("myuser:" + key))
	component := strings.ReplaceAll(url.QueryEscape(key), "+", "%20")
	jsonText := `S3cr\"et/Key+with=sp ace\\x` // the key as a JSON string's content
	ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{
			"auth":   r.Header.Get("Authorization"),
			"b64":    r.Header.Get("X-Key-B64"),
			"b64url": "id/" + r.Header.Get("X-Key-B64URL"),
			"url":    "http://evil/?k=" + component,
			"padded": base64.URLEncoding.EncodeToString([]byte(key)),
			"json":   jsonText,
		})
	})
	p := mustProvider(t, mustDef(t, def), map[string]string{"AuthKey": key, "ApiID": "myuser", "BaseURL": ts.URL}, nil)
	res := p.Lookup(context.Background(), lookup.Item{Value: "203.0.113.5", Type: "ipv4"})
	if res.Status != lookup.StatusFound {
		t.Fatal(res.Status, res.Message)
	}
	h := ts.last().header
	if h.Get("Authorization") != "Basic "+basic || h.Get("X-Key-B64") != b64 || h.Get("X-Key-B64URL") != b64url {
		t.Fatalf("request not as expected: %v", h)
	}
	details, _ := res.Details.(map[string]any)
	var shown []string
	for _, v := range details {
		shown = append(shown, fmt.Sprint(v))
	}
	s := strings.Join(append(shown, res.Reference, res.Message), "\n")
	for _, form := range []string{key, basic, b64, b64url, component, jsonText, base64.URLEncoding.EncodeToString([]byte(key))} {
		if strings.Contains(s, form) {
			t.Errorf("result shows %q: %s", form, s)
		}
	}
	if !strings.Contains(s, "Basic ***") || !strings.Contains(s, "id/***") || !strings.Contains(s, "?k=***") {
		t.Errorf("result lacks the masks: %s", s)
	}
}

// TestEchoedCaseChangedKeyRedacted: a service echoing the key with its
// case changed, or URL-escaped with lower-case hex (%2f), is masked too.
func TestEchoedCaseChangedKeyRedacted(t *testing.T) {
	const key = "S3cr/t+Key=Value!"
	const def = `kind: ti
provider_name: EchoIntel
base_url: http://127.0.0.1/api
settings:
  - {name: AuthKey, required: true, secret: true}
headers:
  X-Api-Key: "{AuthKey}"
queries:
  ipv4: {path: "/ip/{observable}"}
result:
  details: 'response'
`
	lowered := strings.ToLower(key)
	escaped := strings.ToLower(url.QueryEscape(key)) // s3cr%2ft%2bkey%3dvalue%21
	tests := []struct{ name, echo string }{
		{"lower-cased", lowered},
		{"upper-cased", strings.ToUpper(key)},
		{"lower-case escape", escaped},
		{"JSON slash escape", strings.ReplaceAll(key, "/", `\/`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				// written by hand so a \/ escape reaches the client as sent
				fmt.Fprintf(w, `{"tags":["%s"]}`, tt.echo)
			})
			p := mustProvider(t, mustDef(t, def), map[string]string{"AuthKey": key, "BaseURL": ts.URL}, nil)
			res := p.Lookup(context.Background(), lookup.Item{Value: "203.0.113.5", Type: "ipv4"})
			if res.Status != lookup.StatusFound {
				t.Fatal(res.Status, res.Message)
			}
			s := fmt.Sprint(res.Details, res.RawResult, res.Reference, res.Message)
			if strings.Contains(strings.ToLower(s), "s3cr") || !strings.Contains(s, "***") {
				t.Errorf("result shows the key: %s", s)
			}
		})
	}
}
