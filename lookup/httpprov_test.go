package lookup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testHTTPProvider is a small real provider: it does HTTP GETs to a server
// (an httptest server in these tests) and maps the answer to a Result the
// way the HTTP provider engine does.
type testHTTPProvider struct {
	base   string
	key    string
	client *http.Client
	types  []string
	limits Limits
}

func (p *testHTTPProvider) SupportedTypes() []string { return p.types }
func (p *testHTTPProvider) Limits() Limits           { return p.limits }

func (p *testHTTPProvider) Lookup(ctx context.Context, it Item) Result {
	ref := p.base + "/lookup/" + it.Type + "/" + url.PathEscape(it.Value)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ref, nil)
	if err != nil {
		return Result{Status: StatusProviderError, Message: "bad request"}
	}
	if p.key != "" {
		req.Header.Set("X-Api-Key", p.key)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return Result{Status: StatusTimeout, Message: "request timed out"}
		}
		return Result{Status: StatusProviderError, Message: "request failed", Retryable: true}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return Result{Status: StatusNotFound, Reference: ref}
	case resp.StatusCode == http.StatusTooManyRequests:
		ra, _ := ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return Result{Status: StatusRateLimited, RetryAfter: ra, Message: "HTTP 429"}
	case resp.StatusCode >= 500:
		return Result{Status: StatusProviderError, Message: fmt.Sprintf("HTTP %d", resp.StatusCode), Retryable: true}
	case resp.StatusCode != http.StatusOK:
		return Result{Status: StatusProviderError, Message: fmt.Sprintf("HTTP %d", resp.StatusCode)}
	}
	var v struct {
		Found    *bool  `json:"found"`
		Severity string `json:"severity"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.Found == nil {
		return Result{Status: StatusUnexpected, Message: "unexpected response: " + excerpt(body)}
	}
	var raw any
	_ = json.Unmarshal(body, &raw)
	st := StatusNotFound
	if *v.Found {
		st = StatusFound
	}
	return Result{Status: st, Found: *v.Found, Severity: ParseSeverity(v.Severity), RawResult: raw,
		Details: map[string]any{"severity": v.Severity}, Reference: ref}
}

func excerpt(b []byte) string {
	s := string(b)
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}

// tiServer is an httptest server that answers /lookup/<type>/<value>:
// "hit" values (containing "evil" or listed in hits) found, others 404.
// It counts calls per value and can stall or throttle chosen values.
type tiServer struct {
	*httptest.Server
	mu        sync.Mutex
	calls     map[string]int
	total     atomic.Int64
	stall     map[string]bool
	throttle  map[string]string // value → Retry-After header
	fail5xx   map[string]int    // value → number of 503s before success
	latency   time.Duration
	headerLog []string
}

func newTIServer(t *testing.T) *tiServer {
	s := &tiServer{calls: map[string]int{}, stall: map[string]bool{}, throttle: map[string]string{}, fail5xx: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	t.Cleanup(s.Close)
	return s
}

func (s *tiServer) handle(w http.ResponseWriter, r *http.Request) {
	s.total.Add(1)
	parts := strings.SplitN(strings.TrimPrefix(r.URL.EscapedPath(), "/lookup/"), "/", 2)
	if len(parts) != 2 {
		http.Error(w, "bad path", http.StatusBadRequest)
		return
	}
	val, _ := url.PathUnescape(parts[1])
	s.mu.Lock()
	s.calls[val]++
	n := s.calls[val]
	stall, ra, fails := s.stall[val], s.throttle[val], s.fail5xx[val]
	s.headerLog = append(s.headerLog, r.Header.Get("X-Api-Key"))
	s.mu.Unlock()
	if s.latency > 0 {
		time.Sleep(s.latency)
	}
	switch {
	case stall:
		<-r.Context().Done()
		return
	case ra != "":
		w.Header().Set("Retry-After", ra)
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	case n <= fails:
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	case strings.Contains(val, "html"):
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<html><body>Maintenance</body></html>")
		return
	case strings.Contains(val, "evil") || strings.HasPrefix(val, "44d88612"):
		_, _ = io.WriteString(w, `{"found": true, "severity": "high"}`)
		return
	}
	http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
}

func (s *tiServer) count(v string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[v]
}

func (s *tiServer) provider(types ...string) *testHTTPProvider {
	return &testHTTPProvider{base: s.URL, client: s.Client(), types: types}
}
