package httpprov

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/msticgo/msticgo/lookup"
)

// TestTransportErrorsNotSent: failures before any request left the machine
// (a name that does not resolve, a refused connection) are marked NotSent
// and not Retryable, so the engine neither retries them nor counts them
// against the daily quota; a connection dropped after the request was sent
// stays retryable and counted.
func TestTransportErrorsNotSent(t *testing.T) {
	refused := newTestServer(t, jsonReply(200, `{}`))
	refusedURL := refused.URL
	refused.Close()
	dropped := newTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		// the request arrived; the connection dies before an answer
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	})
	tests := []struct {
		name          string
		base          string
		notSent       bool
		retryable     bool
		messageSubstr string
	}{
		// The dialer answers as the resolver does for a name that does not
		// exist (no DNS query leaves the machine).
		{"no such host", "http://nonexistent.invalid", true, false, "no such host"},
		{"connection refused", refusedURL, true, false, "refused"},
		{"dropped after sending", dropped.URL, false, true, "cannot reach Acme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustProvider(t, mustDef(t, acmeDef), map[string]string{"AuthKey": testKey, "BaseURL": tt.base}, nil)
			if tt.name == "no such host" {
				setDialer(p, func(_ context.Context, network, addr string) (net.Conn, error) {
					host, _, _ := net.SplitHostPort(addr)
					return nil, &net.OpError{Op: "dial", Net: network,
						Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
				})
			}
			res := p.Lookup(context.Background(), lookup.Item{Value: "203.0.113.9", Type: "ipv4"})
			if res.Status != lookup.StatusProviderError || res.NotSent != tt.notSent || res.Retryable != tt.retryable ||
				!strings.Contains(res.Message, tt.messageSubstr) {
				t.Errorf("status %v, not sent %v, retryable %v, message %q", res.Status, res.NotSent, res.Retryable, res.Message)
			}
		})
	}
}

// setDialer replaces how the provider's HTTP client opens connections
// (tests: no name is ever resolved by the system).
func setDialer(p *Provider, dial func(ctx context.Context, network, addr string) (net.Conn, error)) {
	tr := p.client.Transport.(*http.Transport)
	tr.CloseIdleConnections()
	tr.DialContext = dial
}

// TestKeyInURLPathRedactedWithStars: a key in the URL path (a declarative
// plugin with {AuthKey} in its path) shows as *** in Reference and in the
// debug log, the marker used everywhere else.
func TestKeyInURLPathRedactedWithStars(t *testing.T) {
	def := strings.Replace(acmeDef, `ipv4: {path: "/ip/{observable}"}`, `ipv4: {path: "/nokey/{AuthKey}/{observable}"}`, 1)
	def = strings.Replace(def, `  reference: '"https://acme.example/ui/" + observable'`+"\n", "", 1)
	ts := newTestServer(t, jsonReply(404, `{}`))
	var logs bytes.Buffer
	p := mustProvider(t, mustDef(t, def), map[string]string{"AuthKey": testKey, "BaseURL": ts.URL}, &logs)
	res := p.Lookup(context.Background(), lookup.Item{Value: "203.0.113.5", Type: "ipv4"})
	if want := ts.URL + "/nokey/***/203.0.113.5"; res.Reference != want {
		t.Errorf("Reference %q, want %q", res.Reference, want)
	}
	if all := fmt.Sprintf("%#v", res) + logs.String(); strings.Contains(all, "REDACTED") || !strings.Contains(logs.String(), "/nokey/***/") {
		t.Errorf("marker is not ***:\n%s", all)
	}
}
