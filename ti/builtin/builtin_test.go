package builtin

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/msticgo/msticgo/internal/testcorpus"
	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/registry"
)

const (
	secretKey = "SeCrEtKeY-0123456789abcdef"
	secretID  = "SeCrEtId-42"
)

// auth says how each provider must carry its key.
var auth = map[string]string{
	"VirusTotal":     "header:X-Apikey",
	"OTX":            "header:X-Otx-Api-Key",
	"AbuseIPDB":      "header:Key",
	"GreyNoise":      "header:Key",
	"XForce":         "basic",
	"Pulsedive":      "query:key",
	"CrowdSec":       "header:X-Api-Key",
	"IPQualityScore": "path",
	"OPR":            "header:Api-Opr",
	"BinaryEdge":     "header:X-Key",
	"Cyberint":       "header:Cookie",
	"IntSights":      "basic",
	"MalwareBazaar":  "header:Auth-Key",
	"RiskIQ":         "basic",
	"URLhaus":        "header:Auth-Key",
	"ThreatFox":      "header:Auth-Key",
	"InternetDB":     "",
	"Tor":            "",
}

// postProviders send their queries as POST.
var postProviders = map[string]bool{"MalwareBazaar": true, "URLhaus": true, "ThreatFox": true}

type providerCase struct {
	provider string
	name     string // hit, miss, error, malformed (+ a suffix)
	ioc      string
	typ      string
	sub      string
	status   int    // HTTP status served
	fixture  string // file under ../testdata/providers/<provider>/, or corpus:<file>
	body     string // inline body (when no fixture); %KEY% is replaced by the key
	wrapData bool   // serve the fixture as {"data": <fixture>} (VirusTotal v3 envelope)
	want     lookup.Status
	sev      lookup.Severity
	path     string            // expected escaped request path
	method   string            // expected method (GET when empty)
	params   map[string]string // expected query or form parameters
	detail   string            // "key=value" expected in Details (fmt %v)
	ref      string            // expected Reference prefix
}

const echoKey = `{"error": "The API key %KEY% is not valid"}`

var cases = []providerCase{
	// VirusTotal: real recorded v3 bodies from the corpus.
	{provider: "VirusTotal", name: "hit-file", ioc: "03bd9a94482f180bb047626cb2f27ccf8daa0e201345480b43585580e09c311b", typ: "sha256_hash", status: 200,
		fixture: "corpus:vt3_file_1.json", wrapData: true, want: lookup.StatusFound, sev: lookup.SevHigh,
		path: "/files/03bd9a94482f180bb047626cb2f27ccf8daa0e201345480b43585580e09c311b", detail: "malicious=40",
		ref: "https://www.virustotal.com/gui/file/03bd9a94482f180bb047626cb2f27ccf8daa0e201345480b43585580e09c311b"},
	{provider: "VirusTotal", name: "hit-url-warning", ioc: "http://218.54.47.76/", typ: "url", status: 200,
		fixture: "corpus:vt3_url_1.json", wrapData: true, want: lookup.StatusFound, sev: lookup.SevWarning,
		path: "/urls/" + base64.RawURLEncoding.EncodeToString([]byte("http://218.54.47.76/")), detail: "malicious=1",
		ref: "https://www.virustotal.com/gui/url/19e1199c6aa6e817845cc025cd7c8979cec22f8c94bc7416ff16b8808706cd54"},
	{provider: "VirusTotal", name: "hit-url-clean", ioc: "http://218.54.47.77/", typ: "url", status: 200,
		fixture: "corpus:vt3_url_0.json", wrapData: true, want: lookup.StatusFound, sev: lookup.SevInformation, detail: "harmless=57"},
	{provider: "VirusTotal", name: "miss", ioc: "203.0.113.11", typ: "ipv4", status: 404, fixture: "miss.json",
		want: lookup.StatusNotFound, path: "/ip_addresses/203.0.113.11"},
	{provider: "VirusTotal", name: "error", ioc: "203.0.113.10", typ: "ipv4", status: 401, body: echoKey, want: lookup.StatusProviderError},
	{provider: "VirusTotal", name: "malformed-null-score", ioc: "203.0.113.12", typ: "ipv4", status: 200, fixture: "malformed.json", want: lookup.StatusUnexpected},
	{provider: "VirusTotal", name: "malformed-list", ioc: "203.0.113.12", typ: "ipv4", status: 200, fixture: "corpus:vt3_related_links.json", want: lookup.StatusUnexpected},

	{provider: "OTX", name: "hit", ioc: "203.0.113.10", typ: "ipv4", status: 200, fixture: "hit.json", want: lookup.StatusFound, sev: lookup.SevHigh,
		path: "/api/v1/indicators/IPv4/203.0.113.10/general", detail: "pulse_count=2", ref: "https://otx.alienvault.com/indicator/ip/203.0.113.10"},
	{provider: "OTX", name: "hit-url-escaped-once", ioc: "http://example.org/a b?x=1", typ: "url", status: 200, fixture: "hit.json", want: lookup.StatusFound, sev: lookup.SevHigh,
		path: "/api/v1/indicators/url/http:%2F%2Fexample.org%2Fa%20b%3Fx=1/general"},
	{provider: "OTX", name: "miss", ioc: "203.0.113.11", typ: "ipv4", status: 200, fixture: "miss.json", want: lookup.StatusNotFound},
	{provider: "OTX", name: "error", ioc: "203.0.113.10", typ: "ipv4", status: 403, body: echoKey, want: lookup.StatusProviderError},
	{provider: "OTX", name: "malformed", ioc: "203.0.113.12", typ: "ipv4", status: 200, fixture: "malformed.json", want: lookup.StatusUnexpected},

	{provider: "AbuseIPDB", name: "hit", ioc: "203.0.113.10", typ: "ipv4", status: 200, fixture: "hit.json", want: lookup.StatusFound, sev: lookup.SevHigh,
		path: "/api/v2/check", params: map[string]string{"ipAddress": "203.0.113.10", "maxAgeInDays": "90"}, detail: "totalReports=812",
		ref: "https://www.abuseipdb.com/check/203.0.113.10"},
	{provider: "AbuseIPDB", name: "miss", ioc: "203.0.113.11", typ: "ipv4", status: 200, fixture: "miss.json", want: lookup.StatusNotFound},
	{provider: "AbuseIPDB", name: "error", ioc: "203.0.113.10", typ: "ipv4", status: 401, body: echoKey, want: lookup.StatusProviderError},
	{provider: "AbuseIPDB", name: "malformed", ioc: "203.0.113.12", typ: "ipv4", status: 200, fixture: "malformed.json", want: lookup.StatusUnexpected},

	{provider: "GreyNoise", name: "hit", ioc: "203.0.113.10", typ: "ipv4", status: 200, fixture: "hit.json", want: lookup.StatusFound, sev: lookup.SevHigh,
		path: "/v3/community/203.0.113.10", detail: "Classification=malicious", ref: "https://viz.greynoise.io/ip/203.0.113.10"},
	{provider: "GreyNoise", name: "miss", ioc: "203.0.113.11", typ: "ipv4", status: 404, fixture: "miss.json", want: lookup.StatusNotFound},
	{provider: "GreyNoise", name: "error", ioc: "203.0.113.10", typ: "ipv4", status: 401, body: echoKey, want: lookup.StatusProviderError},
	{provider: "GreyNoise", name: "malformed", ioc: "203.0.113.12", typ: "ipv4", status: 200, fixture: "malformed.txt", want: lookup.StatusUnexpected},

	{provider: "XForce", name: "hit", ioc: "203.0.113.10", typ: "ipv4", status: 200, fixture: "hit.json", want: lookup.StatusFound, sev: lookup.SevHigh,
		path: "/ipr/203.0.113.10", detail: "score=7.1", ref: "https://exchange.xforce.ibmcloud.com/ip/203.0.113.10"},
	{provider: "XForce", name: "hit-whois-subtype", ioc: "203.0.113.10", typ: "ipv4", sub: "whois", status: 200, fixture: "hit.json", want: lookup.StatusFound,
		sev: lookup.SevInformation, path: "/whois/203.0.113.10"},
	{provider: "XForce", name: "miss", ioc: "203.0.113.11", typ: "ipv4", status: 404, fixture: "miss.json", want: lookup.StatusNotFound},
	{provider: "XForce", name: "error", ioc: "203.0.113.10", typ: "ipv4", status: 401, body: echoKey, want: lookup.StatusProviderError},
	{provider: "XForce", name: "malformed", ioc: "203.0.113.12", typ: "ipv4", status: 200, fixture: "malformed.json", want: lookup.StatusUnexpected},

	{provider: "Pulsedive", name: "hit", ioc: "example.org", typ: "dns", status: 200, fixture: "hit.json", want: lookup.StatusFound, sev: lookup.SevHigh,
		path: "/info.php", params: map[string]string{"indicator": "example.org", "pretty": "1"}, detail: "risk=high",
		ref: "https://pulsedive.com/indicator/?iid=4217"},
	{provider: "Pulsedive", name: "miss", ioc: "example.net", typ: "dns", status: 404, fixture: "miss.json", want: lookup.StatusNotFound},
	{provider: "Pulsedive", name: "error", ioc: "example.org", typ: "dns", status: 401, body: echoKey, want: lookup.StatusProviderError},
	{provider: "Pulsedive", name: "malformed", ioc: "example.net", typ: "dns", status: 200, fixture: "malformed.json", want: lookup.StatusUnexpected},

	{provider: "CrowdSec", name: "hit", ioc: "203.0.113.10", typ: "ipv4", status: 200, fixture: "hit.json", want: lookup.StatusFound, sev: lookup.SevHigh,
		path: "/v2/smoke/203.0.113.10", detail: "Behaviors=ssh:bruteforce,http:scan", ref: "https://app.crowdsec.net/cti/203.0.113.10"},
	{provider: "CrowdSec", name: "miss", ioc: "203.0.113.11", typ: "ipv4", status: 404, fixture: "miss.json", want: lookup.StatusNotFound},
	{provider: "CrowdSec", name: "error", ioc: "203.0.113.10", typ: "ipv4", status: 403, body: echoKey, want: lookup.StatusProviderError},
	{provider: "CrowdSec", name: "malformed", ioc: "203.0.113.12", typ: "ipv4", status: 200, fixture: "malformed.json", want: lookup.StatusUnexpected},

	{provider: "IPQualityScore", name: "hit", ioc: "203.0.113.10", typ: "ipv4", status: 200, fixture: "hit.json", want: lookup.StatusFound, sev: lookup.SevHigh,
		path: "/ip/" + secretKey + "/203.0.113.10", detail: "FraudScore=88", ref: "https://www.ipqualityscore.com/free-ip-lookup-proxy-vpn-test/lookup/203.0.113.10"},
	{provider: "IPQualityScore", name: "miss", ioc: "203.0.113.11", typ: "ipv4", status: 200, fixture: "miss.json", want: lookup.StatusFound, sev: lookup.SevInformation},
	{provider: "IPQualityScore", name: "error-in-body", ioc: "203.0.113.10", typ: "ipv4", status: 200,
		body: `{"success": false, "message": "Invalid or unauthorized key: %KEY%", "request_id": "x"}`, want: lookup.StatusProviderError},
	{provider: "IPQualityScore", name: "error", ioc: "203.0.113.10", typ: "ipv4", status: 401, body: echoKey, want: lookup.StatusProviderError},
	{provider: "IPQualityScore", name: "malformed", ioc: "203.0.113.12", typ: "ipv4", status: 200, fixture: "malformed.json", want: lookup.StatusUnexpected},

	{provider: "OPR", name: "hit", ioc: "example.org", typ: "dns", status: 200, fixture: "hit.json", want: lookup.StatusFound, sev: lookup.SevInformation,
		path: "/api/v1.0/getPageRank", params: map[string]string{"domains[0]": "example.org"}, detail: "rank=1234"},
	{provider: "OPR", name: "miss-unranked-is-warning", ioc: "unranked-example.org", typ: "dns", status: 200, fixture: "miss.json", want: lookup.StatusFound,
		sev: lookup.SevWarning, detail: "error=Domain not found"},
	{provider: "OPR", name: "error", ioc: "example.org", typ: "dns", status: 401, body: echoKey, want: lookup.StatusProviderError},
	{provider: "OPR", name: "malformed", ioc: "example.org", typ: "dns", status: 200, fixture: "malformed.json", want: lookup.StatusUnexpected},

	{provider: "BinaryEdge", name: "hit", ioc: "203.0.113.10", typ: "ipv4", status: 200, fixture: "hit.json", want: lookup.StatusFound, sev: lookup.SevInformation,
		path: "/v2/query/ip/203.0.113.10", detail: "Ports=[22 443]"},
	{provider: "BinaryEdge", name: "miss", ioc: "203.0.113.11", typ: "ipv4", status: 200, fixture: "miss.json", want: lookup.StatusNotFound},
	{provider: "BinaryEdge", name: "error", ioc: "203.0.113.10", typ: "ipv4", status: 401, body: echoKey, want: lookup.StatusProviderError},
	{provider: "BinaryEdge", name: "malformed", ioc: "203.0.113.12", typ: "ipv4", status: 200, fixture: "malformed.json", want: lookup.StatusUnexpected},

	{provider: "Cyberint", name: "hit", ioc: "203.0.113.10", typ: "ipv4", status: 200, fixture: "hit.json", want: lookup.StatusFound, sev: lookup.SevHigh,
		path: "/ioc/api/v1/ipv4", params: map[string]string{"value": "203.0.113.10"}},
	{provider: "Cyberint", name: "miss", ioc: "203.0.113.11", typ: "ipv4", status: 404, body: `{"detail": "not found"}`, want: lookup.StatusNotFound},
	{provider: "Cyberint", name: "hit-benign", ioc: "203.0.113.11", typ: "ipv4", status: 200, fixture: "miss.json", want: lookup.StatusFound, sev: lookup.SevInformation},
	{provider: "Cyberint", name: "error", ioc: "203.0.113.10", typ: "ipv4", status: 401, body: echoKey, want: lookup.StatusProviderError},
	{provider: "Cyberint", name: "malformed", ioc: "203.0.113.12", typ: "ipv4", status: 200, fixture: "malformed.json", want: lookup.StatusUnexpected},

	{provider: "IntSights", name: "hit", ioc: "203.0.113.10", typ: "ipv4", status: 200, fixture: "hit.json", want: lookup.StatusFound, sev: lookup.SevHigh,
		path: "/public/v3/iocs/ioc-by-value", params: map[string]string{"iocValue": "203.0.113.10"}, detail: "tags=[mine Botnet]"},
	{provider: "IntSights", name: "miss-whitelisted", ioc: "203.0.113.11", typ: "ipv4", status: 200, fixture: "miss.json", want: lookup.StatusNotFound},
	{provider: "IntSights", name: "miss-204", ioc: "203.0.113.11", typ: "ipv4", status: 204, body: "", want: lookup.StatusNotFound},
	{provider: "IntSights", name: "error", ioc: "203.0.113.10", typ: "ipv4", status: 401, body: echoKey, want: lookup.StatusProviderError},
	{provider: "IntSights", name: "malformed", ioc: "203.0.113.12", typ: "ipv4", status: 200, fixture: "malformed.json", want: lookup.StatusUnexpected},

	{provider: "MalwareBazaar", name: "hit", ioc: "03bd9a94482f180bb047626cb2f27ccf8daa0e201345480b43585580e09c311b", typ: "sha256_hash", status: 200,
		fixture: "hit.json", want: lookup.StatusFound, sev: lookup.SevHigh, method: "POST", path: "/",
		params: map[string]string{"query": "get_info", "hash": "03bd9a94482f180bb047626cb2f27ccf8daa0e201345480b43585580e09c311b"},
		detail: "signature=ExampleBot", ref: "https://bazaar.abuse.ch/sample/03bd9a94482f180bb047626cb2f27ccf8daa0e201345480b43585580e09c311b/"},
	{provider: "MalwareBazaar", name: "miss", ioc: "d41d8cd98f00b204e9800998ecf8427e", typ: "md5_hash", status: 200, fixture: "miss.json", want: lookup.StatusNotFound},
	{provider: "MalwareBazaar", name: "error", ioc: "d41d8cd98f00b204e9800998ecf8427e", typ: "md5_hash", status: 401, body: echoKey, want: lookup.StatusProviderError},
	{provider: "MalwareBazaar", name: "error-in-body", ioc: "zz", typ: "md5_hash", status: 200, body: `{"query_status": "illegal_hash"}`, want: lookup.StatusProviderError},
	{provider: "MalwareBazaar", name: "malformed", ioc: "d41d8cd98f00b204e9800998ecf8427e", typ: "md5_hash", status: 200, fixture: "malformed.json", want: lookup.StatusUnexpected},
	{provider: "MalwareBazaar", name: "malformed-html", ioc: "d41d8cd98f00b204e9800998ecf8427e", typ: "md5_hash", status: 200, body: "<html>oops</html>", want: lookup.StatusUnexpected},

	{provider: "RiskIQ", name: "hit", ioc: "203.0.113.10", typ: "ipv4", status: 200, fixture: "hit.json", want: lookup.StatusFound, sev: lookup.SevHigh,
		path: "/reputation", params: map[string]string{"query": "203.0.113.10"}, detail: "classification=MALICIOUS",
		ref: "https://community.riskiq.com/search/203.0.113.10"},
	{provider: "RiskIQ", name: "miss", ioc: "203.0.113.11", typ: "ipv4", status: 200, fixture: "miss.json", want: lookup.StatusNotFound},
	{provider: "RiskIQ", name: "error", ioc: "203.0.113.10", typ: "ipv4", status: 401, body: echoKey, want: lookup.StatusProviderError},
	{provider: "RiskIQ", name: "malformed", ioc: "203.0.113.12", typ: "ipv4", status: 200, fixture: "malformed.json", want: lookup.StatusUnexpected},

	{provider: "URLhaus", name: "hit", ioc: "http://example.org/bad.exe", typ: "url", status: 200, fixture: "hit.json", want: lookup.StatusFound, sev: lookup.SevHigh,
		method: "POST", path: "/url/", params: map[string]string{"url": "http://example.org/bad.exe"}, detail: "threat=malware_download",
		ref: "https://urlhaus.abuse.ch/url/123456/"},
	{provider: "URLhaus", name: "miss", ioc: "http://example.net/", typ: "url", status: 200, fixture: "miss.json", want: lookup.StatusNotFound},
	{provider: "URLhaus", name: "error", ioc: "http://example.net/", typ: "url", status: 500, body: echoKey, want: lookup.StatusProviderError},
	{provider: "URLhaus", name: "malformed", ioc: "http://example.net/", typ: "url", status: 200, fixture: "malformed.txt", want: lookup.StatusUnexpected},

	{provider: "ThreatFox", name: "hit", ioc: "203.0.113.10", typ: "ipv4", status: 200, fixture: "hit.json", want: lookup.StatusFound, sev: lookup.SevHigh,
		method: "POST", path: "/", params: map[string]string{"query": "search_ioc", "search_term": "203.0.113.10"}, detail: "malware=ExampleBot",
		ref: "https://threatfox.abuse.ch/ioc/41/"},
	{provider: "ThreatFox", name: "miss", ioc: "203.0.113.11", typ: "ipv4", status: 200, fixture: "miss.json", want: lookup.StatusNotFound},
	{provider: "ThreatFox", name: "error", ioc: "203.0.113.10", typ: "ipv4", status: 401, body: echoKey, want: lookup.StatusProviderError},
	{provider: "ThreatFox", name: "malformed", ioc: "203.0.113.12", typ: "ipv4", status: 200, fixture: "malformed.json", want: lookup.StatusUnexpected},

	{provider: "InternetDB", name: "hit", ioc: "203.0.113.10", typ: "ipv4", status: 200, fixture: "hit.json", want: lookup.StatusFound, sev: lookup.SevHigh,
		path: "/203.0.113.10", detail: "ports=[22 80 443]", ref: "https://www.shodan.io/host/203.0.113.10"},
	{provider: "InternetDB", name: "hit-ipv6", ioc: "2001:db8::1", typ: "ipv6", status: 200, fixture: "hit.json", want: lookup.StatusFound,
		sev: lookup.SevHigh, path: "/2001:db8::1"},
	{provider: "InternetDB", name: "miss", ioc: "203.0.113.11", typ: "ipv4", status: 404, fixture: "miss.json", want: lookup.StatusNotFound},
	{provider: "InternetDB", name: "error", ioc: "203.0.113.10", typ: "ipv4", status: 503, body: echoKey, want: lookup.StatusProviderError},
	{provider: "InternetDB", name: "malformed", ioc: "203.0.113.12", typ: "ipv4", status: 200, fixture: "malformed.json", want: lookup.StatusUnexpected},

	{provider: "Tor", name: "hit", ioc: "203.0.113.10", typ: "ipv4", status: 200, fixture: "exit-addresses.txt", want: lookup.StatusFound, sev: lookup.SevWarning,
		path: "/exit-addresses", detail: "NodeID=0011BD2485AD45D984EC4159C88FC066E5E3300E"},
	{provider: "Tor", name: "hit-ipv6-normalised", ioc: "2001:db8::20", typ: "ipv6", status: 200, fixture: "exit-addresses.txt", want: lookup.StatusFound,
		sev: lookup.SevWarning, detail: "LastStatus=2026-12-02"},
	{provider: "Tor", name: "miss", ioc: "203.0.113.11", typ: "ipv4", status: 200, fixture: "exit-addresses.txt", want: lookup.StatusNotFound},
	{provider: "Tor", name: "error", ioc: "203.0.113.10", typ: "ipv4", status: 500, body: echoKey, want: lookup.StatusProviderError},
	{provider: "Tor", name: "malformed", ioc: "203.0.113.10", typ: "ipv4", status: 200, fixture: "malformed.txt", want: lookup.StatusUnexpected},
}

// recorded is what the test server saw.
type recorded struct {
	method, path string
	query        map[string][]string
	form         map[string][]string
	jsonBody     map[string]any
	header       http.Header
	user, pass   string
	basic        bool
	count        int
}

func loadBody(t *testing.T, c providerCase) []byte {
	t.Helper()
	var b []byte
	switch {
	case strings.HasPrefix(c.fixture, "corpus:"):
		p := testcorpus.Path(t, "ti-responses", strings.TrimPrefix(c.fixture, "corpus:"))
		var err error
		if b, err = os.ReadFile(p); err != nil {
			t.Fatal(err)
		}
	case c.fixture != "":
		var err error
		if b, err = os.ReadFile(filepath.Join("..", "testdata", "providers", c.provider, c.fixture)); err != nil {
			t.Fatal(err)
		}
	default:
		b = []byte(strings.ReplaceAll(c.body, "%KEY%", secretKey))
	}
	if c.wrapData {
		b = append(append([]byte(`{"data": `), b...), '}')
	}
	return b
}

func newServer(t *testing.T, status int, body []byte, rec *recorded) *httptest.Server {
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		rec.count++
		rec.method, rec.path, rec.header = r.Method, r.URL.EscapedPath(), r.Header.Clone()
		rec.query = r.URL.Query()
		rec.user, rec.pass, rec.basic = r.BasicAuth()
		raw, _ := io.ReadAll(r.Body)
		switch {
		case strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
			r.Body = io.NopCloser(bytes.NewReader(raw))
			_ = r.ParseForm()
			rec.form = r.PostForm
		case strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"):
			_ = jsonUnmarshal(raw, &rec.jsonBody)
		}
		if status == 200 && strings.HasSuffix(string(body), "</html>\n") {
			w.Header().Set("Content-Type", "text/html")
		} else {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// newProvider builds the named built-in from a fresh registry the way the
// lookup engine does: through its registration's factory.
func newProvider(t *testing.T, name, baseURL string, logs io.Writer) lookup.Provider {
	t.Helper()
	r := registry.New()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	reg, err := r.Lookup(registry.KindTI, name)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := reg.Factory(context.Background(), registry.FactoryArgs{
		Entry: name, LoadedAs: name,
		Settings: map[string]string{"AuthKey": secretKey, "ApiID": secretID, "Instance": "tenant", "BaseURL": baseURL},
		Secrets:  map[string]bool{"AuthKey": true, "ApiID": true},
		Logger:   slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	return inst.(lookup.Provider)
}

func TestBuiltinProviders(t *testing.T) {
	seen := map[string]map[string]bool{}
	for _, c := range cases {
		if seen[c.provider] == nil {
			seen[c.provider] = map[string]bool{}
		}
		kind, _, _ := strings.Cut(c.name, "-")
		seen[c.provider][kind] = true
		t.Run(c.provider+"/"+c.name, func(t *testing.T) {
			body := loadBody(t, c)
			rec := &recorded{}
			srv := newServer(t, c.status, body, rec)
			var logs bytes.Buffer
			p := newProvider(t, c.provider, srv.URL, &logs)
			res := p.Lookup(context.Background(), lookup.Item{Ioc: c.ioc, Type: c.typ, SubType: c.sub, Value: c.ioc})
			if res.Status != c.want {
				t.Fatalf("status = %v (%s), want %v", res.Status, res.Message, c.want)
			}
			if c.want == lookup.StatusFound && res.Severity != c.sev {
				t.Errorf("severity = %v, want %v (details %v)", res.Severity, c.sev, res.Details)
			}
			if res.Found != (c.want == lookup.StatusFound) {
				t.Errorf("Found = %v with status %v", res.Found, res.Status)
			}
			if !res.Status.OK() && res.Message == "" {
				t.Errorf("status %v without a message", res.Status)
			}
			if c.want == lookup.StatusUnexpected {
				if ex, _ := res.RawResult.(string); ex == "" || utf8.RuneCountInString(ex) > 200 {
					t.Errorf("unexpected response excerpt %q: want 1..200 chars", ex)
				}
			}
			if rec.count == 0 {
				t.Fatal("no request reached the server")
			}
			wantMethod := c.method
			if wantMethod == "" {
				wantMethod = "GET"
				if postProviders[c.provider] {
					wantMethod = "POST"
				}
			}
			if rec.method != wantMethod {
				t.Errorf("method = %s, want %s", rec.method, wantMethod)
			}
			if c.path != "" && rec.path != c.path {
				t.Errorf("path = %s, want %s", rec.path, c.path)
			}
			for k, v := range c.params {
				got := first(rec.query[k])
				if got == "" {
					got = first(rec.form[k])
				}
				if got == "" && rec.jsonBody != nil {
					got = fmt.Sprint(rec.jsonBody[k])
				}
				if got != v {
					t.Errorf("param %s = %q, want %q", k, got, v)
				}
			}
			checkAuth(t, c.provider, rec)
			if ua := rec.header.Get("User-Agent"); !strings.HasPrefix(ua, "msticgo/") {
				t.Errorf("User-Agent = %q", ua)
			}
			if c.detail != "" {
				k, v, _ := strings.Cut(c.detail, "=")
				m, _ := res.Details.(map[string]any)
				if got := fmt.Sprint(m[k]); got != v {
					t.Errorf("Details[%s] = %q, want %q (details %v)", k, got, v, res.Details)
				}
			}
			if c.ref != "" && !strings.HasPrefix(res.Reference, c.ref) {
				t.Errorf("Reference = %q, want prefix %q", res.Reference, c.ref)
			}
			// The request URL as reference never keeps its query string
			// (keys travel there); a rule-made reference may have one.
			if strings.HasPrefix(res.Reference, srv.URL) && strings.Contains(res.Reference, "?") {
				t.Errorf("Reference %q has a query string", res.Reference)
			}
			noSecret(t, fmt.Sprintf("%#v", res), "result")
			noSecret(t, logs.String(), "logs")
		})
	}
	// Every built-in has a hit, a miss, an error and a malformed case.
	ds, err := Definitions()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		for _, k := range []string{"hit", "miss", "error", "malformed"} {
			if !seen[d.Name][k] {
				t.Errorf("provider %s has no %q test case", d.Name, k)
			}
		}
		if _, ok := auth[d.Name]; !ok {
			t.Errorf("provider %s: add its key placement to the auth table", d.Name)
		}
	}
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func checkAuth(t *testing.T, provider string, rec *recorded) {
	t.Helper()
	how := auth[provider]
	switch {
	case how == "":
	case how == "basic":
		if !rec.basic || rec.user != secretID || rec.pass != secretKey {
			t.Errorf("basic auth not sent from ApiID/AuthKey")
		}
	case how == "path":
		if !strings.Contains(rec.path, secretKey) {
			t.Errorf("key not in the path %s", rec.path)
		}
	case strings.HasPrefix(how, "header:"):
		h := strings.TrimPrefix(how, "header:")
		if !strings.Contains(rec.header.Get(h), secretKey) {
			t.Errorf("header %s = %q, want the key", h, rec.header.Get(h))
		}
	case strings.HasPrefix(how, "query:"):
		if first(rec.query[strings.TrimPrefix(how, "query:")]) != secretKey {
			t.Errorf("query %s does not carry the key", how)
		}
	}
}

func noSecret(t *testing.T, s, where string) {
	t.Helper()
	for _, sec := range []string{secretKey, secretID} {
		if strings.Contains(s, sec) {
			t.Errorf("secret %q leaked into %s: %s", sec[:6]+"…", where, s)
		}
	}
}

// TestBuiltinsRegisteredInDefault checks the init registration.
func TestBuiltinsRegisteredInDefault(t *testing.T) {
	for name := range auth {
		reg, err := registry.Lookup(registry.KindTI, name)
		if err != nil {
			t.Errorf("%s not in registry.Default: %v", name, err)
			continue
		}
		if reg.Source.Type != "builtin" {
			t.Errorf("%s source = %v", name, reg.Source)
		}
		if types, _ := reg.Meta["ioc_types"].([]string); len(types) == 0 {
			t.Errorf("%s lists no types", name)
		}
	}
	for _, alias := range []string{"VT", "OpenPageRank", "TorExitNodes", "ShodanInternetDB"} {
		if _, err := registry.Lookup(registry.KindTI, alias); err != nil {
			t.Errorf("alias %s: %v", alias, err)
		}
	}
}

// TestMissingKeyNotConfigured: a required key that is absent is reported as
// not configured before any call.
func TestMissingKeyNotConfigured(t *testing.T) {
	r := registry.New()
	if err := Register(r); err != nil {
		t.Fatal(err)
	}
	reg, _ := r.Lookup(registry.KindTI, "VirusTotal")
	_, err := reg.Factory(context.Background(), registry.FactoryArgs{Entry: "VirusTotal", Settings: map[string]string{"AuthKey": "  "}})
	var nc interface{ NotConfigured() bool }
	if err == nil || !asNotConfigured(err, &nc) || !strings.Contains(err.Error(), "AuthKey") {
		t.Fatalf("err = %v, want a not-configured error naming AuthKey", err)
	}
	// Key-less providers need nothing.
	for _, name := range []string{"URLhaus", "ThreatFox", "InternetDB", "Tor", "GreyNoise", "MalwareBazaar"} {
		reg, _ := r.Lookup(registry.KindTI, name)
		if _, err := reg.Factory(context.Background(), registry.FactoryArgs{Entry: name}); err != nil {
			t.Errorf("%s without settings: %v", name, err)
		}
	}
}

// TestDocsCoverEveryBuiltin keeps docs/providers.md true: a section per
// built-in naming its settings, types and base URL.
func TestDocsCoverEveryBuiltin(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "providers.md"))
	if err != nil {
		t.Skipf("docs not found: %v", err)
	}
	doc := string(b)
	ds, err := Definitions()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		i := strings.Index(doc, "\n### "+d.Name+"\n")
		if i < 0 {
			t.Errorf("docs/providers.md has no section for %s", d.Name)
			continue
		}
		sec := doc[i+1:]
		if j := strings.Index(sec[4:], "\n### "); j >= 0 {
			sec = sec[:j+4]
		}
		for _, s := range d.Settings {
			if s.Name != "BaseURL" && s.Name != "timeout" && !strings.Contains(sec, "`"+s.Name+"`") {
				t.Errorf("%s: docs do not mention setting %s", d.Name, s.Name)
			}
		}
		for _, ty := range d.SupportedTypes() {
			if !strings.Contains(sec, "`"+ty+"`") {
				t.Errorf("%s: docs do not mention type %s", d.Name, ty)
			}
		}
		if !strings.Contains(sec, d.BaseURL) {
			t.Errorf("%s: docs do not give base URL %s", d.Name, d.BaseURL)
		}
		// the Limits line names the retries that apply (the engine's
		// default when the definition declares none)
		retries := d.Limits.Retries
		if retries == 0 {
			retries = lookup.DefaultRetries
		}
		if !strings.Contains(sec, fmt.Sprintf(", retries %d", retries)) {
			t.Errorf("%s: docs' Limits line does not say retries %d", d.Name, retries)
		}
	}
}

// TestKeyNeverLeaks: every built-in, answered with a 401 that echoes the key
// in its body and a header, and with a 200 that echoes it in a field, never
// shows the key in any Result field, message or log line.
func TestKeyNeverLeaks(t *testing.T) {
	ds, err := Definitions()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		for _, status := range []int{401, 200} {
			t.Run(fmt.Sprintf("%s/%d", d.Name, status), func(t *testing.T) {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("X-Debug", "key="+secretKey)
					w.WriteHeader(status)
					fmt.Fprintf(w, `{"error": "bad key %s", "message": "%s", "query_status": "%s", "data": {"k": "%s"}, "success": false}`,
						secretKey, secretKey, secretKey, secretKey)
				}))
				defer srv.Close()
				var logs bytes.Buffer
				p := newProvider(t, d.Name, srv.URL, &logs)
				for _, ty := range d.SupportedTypes() {
					typ, sub, _ := strings.Cut(ty, "-")
					res := p.Lookup(context.Background(), lookup.Item{Ioc: "203.0.113.10", Type: typ, SubType: sub, Value: "203.0.113.10"})
					noSecret(t, fmt.Sprintf("%#v", res), "result of "+ty)
				}
				noSecret(t, logs.String(), "logs")
			})
		}
	}
}

// TestEveryBuiltinRejectsMalformedBodies serves bodies that are not any
// provider's documented JSON to every built-in HTTP provider: each gives
// "unexpected response" with a short excerpt, and the same provider then
// answers the next item normally (a 404 miss).
func TestEveryBuiltinRejectsMalformedBodies(t *testing.T) {
	bodies := map[string]string{
		"empty list":  `[]`,
		"null":        `null`,
		"json string": `"Service temporarily unavailable"`,
		"html":        "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
		"truncated":   `{"data": {"attributes": `,
		"number":      `42`,
	}
	ds, err := Definitions()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Mode != "http" {
			continue
		}
		typ, ioc := "", ""
		for _, ty := range d.SupportedTypes() {
			if v, ok := d.ExampleIoC[ty]; ok && !strings.Contains(ty, "-") {
				typ, ioc = ty, v
				break
			}
		}
		if typ == "" {
			t.Errorf("%s: no example indicator for a supported type", d.Name)
			continue
		}
		for name, body := range bodies {
			t.Run(d.Name+"/"+name, func(t *testing.T) {
				var mu sync.Mutex
				serve := body
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					mu.Lock()
					b := serve
					mu.Unlock()
					if b == "" {
						w.WriteHeader(http.StatusNotFound)
						return
					}
					w.Header().Set("Content-Type", "application/json")
					io.WriteString(w, b)
				}))
				defer srv.Close()
				p := newProvider(t, d.Name, srv.URL, io.Discard)
				it := lookup.Item{Ioc: ioc, Type: typ, Value: ioc}
				res := p.Lookup(context.Background(), it)
				ex, _ := res.RawResult.(string)
				if res.Status != lookup.StatusUnexpected || ex == "" || utf8.RuneCountInString(ex) > 200 || res.Found {
					t.Errorf("%s %s: %v %q (excerpt %q); want unexpected response with an excerpt", typ, ioc, res.Status, res.Message, ex)
				}
				mu.Lock()
				serve = ""
				mu.Unlock()
				if res := p.Lookup(context.Background(), it); res.Status != lookup.StatusNotFound {
					t.Errorf("next item: %v %q; want not found", res.Status, res.Message)
				}
			})
		}
	}
}
