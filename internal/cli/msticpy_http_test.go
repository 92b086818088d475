package cli

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMsticpyProxiesAndHTTPTimeout: msticpy.Proxies and msticpy.http_timeout
// of msticpyconfig.yaml apply to the HTTP TI providers, as in MSTICPy: the
// request goes through the configured proxy (not the environment's), and a
// provider that does not answer within http_timeout ends as "timeout".
func TestMsticpyProxiesAndHTTPTimeout(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.String())
		mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "/198.51.100.77") || strings.HasSuffix(r.URL.Path, "/91.234.254.99") {
			select { // stall, bounded
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			return
		}
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error": {"code": "NotFoundError", "message": "not found"}}`)
	}))
	defer proxy.Close()
	// The environment names a proxy that refuses connections: the config's
	// proxy must win.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	t.Setenv("HTTP_PROXY", closed)
	t.Setenv("HTTPS_PROXY", closed)
	t.Setenv("NO_PROXY", "")

	cfg := writeConfig(t, `msticpy:
  http_timeout: 0.5
  Proxies:
    http: `+proxy.URL+`
    https: `+proxy.URL+`
TIProviders:
  VirusTotal:
    Primary: True
    Args:
      AuthKey: proxy-test-key-123
      BaseURL: http://vt.example.invalid/api/v3
      Retries: 0
`)
	env := map[string]string{"MSTICGO_CACHE_DIR": t.TempDir()}
	r := run(t, env, "--config", cfg, "ti", "lookup", "91.234.254.144", "198.51.100.77", "-o", "ndjson", "--no-cache")
	rows := ndjsonRows(t, r.stdout)
	if len(rows) != 2 {
		t.Fatalf("exit %d, %d rows\n%s\n%s", r.code, len(rows), r.stdout, r.stderr)
	}
	if rows[0]["StatusName"] != "not found" {
		t.Errorf("through the configured proxy: %v", rows[0])
	}
	// 198.51.100.77 is documentation space: not routable, never sent. Use a
	// public address for the stall.
	r = run(t, env, "--config", cfg, "ti", "lookup", "91.234.254.99", "-o", "ndjson", "--no-cache")
	rows = ndjsonRows(t, r.stdout)
	if len(rows) != 1 || rows[0]["StatusName"] != "timeout" || r.code != 3 {
		t.Errorf("http_timeout 0.5: exit %d rows %v\n%s", r.code, rows, r.stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	want := "http://vt.example.invalid/api/v3/ip_addresses/91.234.254.144"
	if len(seen) == 0 || seen[0] != want {
		t.Errorf("proxy saw %q, want first %q", seen, want)
	}
	for _, s := range seen {
		if strings.Contains(s, "198.51.100.77") {
			t.Errorf("a non-routable address reached the proxy: %q", s)
		}
	}
	if strings.Contains(r.stdout+r.stderr, "proxy-test-key-123") {
		t.Error("the key was printed")
	}
}
