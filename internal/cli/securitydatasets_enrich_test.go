package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/msticgo/msticgo/internal/testcorpus"
)

// vtServer answers VirusTotal v3 IP lookups in the documented shape: one
// address is malicious, every other one is unknown (404 NotFoundError). It
// counts the requests per address and checks the key header.
type vtServer struct {
	*httptest.Server
	mu    sync.Mutex
	calls map[string]int
	bad   int // requests without the key
}

const vtMalicious = "52.114.76.37"

func newVTServer(t *testing.T, key string) *vtServer {
	s := &vtServer{calls: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip, ok := strings.CutPrefix(r.URL.Path, "/ip_addresses/")
		s.mu.Lock()
		s.calls[ip]++
		if r.Header.Get("x-apikey") != key {
			s.bad++
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case !ok:
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error": {"code": "BadRequestError", "message": "unexpected path"}}`)
		case ip == vtMalicious:
			fmt.Fprintf(w, `{"data": {"id": %q, "type": "ip_address", "links": {"self": "https://www.virustotal.com/api/v3/ip_addresses/%[1]s"},
			  "attributes": {"as_owner": "EXAMPLE-AS", "country": "US", "reputation": -12, "tags": [],
			    "last_analysis_stats": {"harmless": 61, "malicious": 3, "suspicious": 1, "undetected": 20, "timeout": 0}}}}`, ip)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"error": {"code": "NotFoundError", "message": "Resource not found: %s"}}`, ip)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// TestEnrichSecurityDatasets runs the main job on the real attack
// recordings: network connections (Security 5156, Sysmon 3) from the
// Security-Datasets pack over DuckDB, enriched through offline feeds built
// from the corpus IoC lists, STIX bundles, MISP events and warninglists, and
// VirusTotal served locally.
func TestEnrichSecurityDatasets(t *testing.T) {
	corpus := testcorpus.Path(t, ".")
	logs := filepath.Join(corpus, "logs", "security-datasets")
	const key = "vt-KEY-e2e-5ecret-0042"
	vt := newVTServer(t, key)
	wl, err := filepath.Abs(filepath.Join("testdata", "warninglists"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "msticpyconfig.yaml")
	text := fmt.Sprintf(`TIProviders:
  Feeds:
    Primary: true
    Args:
      Embedded: none
      Files: %[1]s/iocs/sigbase_c2-iocs.txt; %[1]s/iocs/unit42_TA551_2020-07-07_Ursnif_IcedID.txt; %[1]s/feeds/stix; %[1]s/feeds/misp
      Warninglists: %[1]s/feeds/misp-warninglists; %[2]s
  VirusTotal:
    Primary: true
    Args:
      AuthKey: {EnvironmentVar: E2E_VT_KEY}
      BaseURL: %[3]s
      RateLimit: 100/s
      DailyQuota: 10000
`, corpus, wl, vt.URL)
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"E2E_VT_KEY": key, "MSTICGO_CACHE_DIR": t.TempDir()}
	query := []string{"--config", cfg, "query", "run", "SecurityDatasets.list_network_connections", "data_path=" + logs, "-o", "ndjson"}

	plain, errOut, code := runQueryCLI(t, env, query...)
	if code != 0 {
		t.Fatalf("query: exit %d: %s", code, errOut)
	}
	in := ndjsonRows(t, plain)
	out, errOut, code := runQueryCLI(t, env, append(query, "--enrich", "SourceAddress,DestinationAddress")...)
	if code != 0 {
		t.Fatalf("enriched query: exit %d: %s", code, errOut)
	}
	if strings.Contains(out+errOut, key) {
		t.Fatal("the VirusTotal key was printed")
	}
	rows := ndjsonRows(t, out)
	if len(in) == 0 || len(rows) != len(in) {
		t.Fatalf("rows in %d, rows out %d", len(in), len(rows))
	}

	// What each destination must come out as, read from the rows alone.
	public := map[string]bool{}
	byClass := map[string]int{}
	for i, r := range rows {
		if r["DestinationAddress"] != in[i]["DestinationAddress"] || r["TimeGenerated"] != in[i]["TimeGenerated"] {
			t.Fatalf("row %d changed or moved: %v vs %v", i, r, in[i])
		}
		dst, _ := r["DestinationAddress"].(string)
		detail, _ := r["TIDetail"].(string)
		addr, err := netip.ParseAddr(dst)
		if err != nil {
			t.Fatalf("row %d: destination %q", i, dst)
		}
		addr = addr.Unmap()
		var want, class string
		switch {
		case addr.IsMulticast():
			class, want = "multicast", dst+": not routable: multicast"
		case addr.IsPrivate():
			class, want = "private", dst+": not routable: private"
		case addr.IsLoopback():
			class, want = "loopback", dst+": not routable: loopback"
		case addr.IsLinkLocalUnicast():
			class, want = "link-local", dst+": not routable: link-local"
		case dst == "168.63.129.16":
			class, want = "azure", dst+" Feeds: known benign: msticgo test: Azure platform addresses"
		case dst == vtMalicious:
			class, want = "malicious", dst+" VirusTotal: "
			if r["TISeverity"] != "high" || r["TIMatched"] != "VirusTotal" {
				t.Errorf("row %d: %s severity %v matched %v", i, dst, r["TISeverity"], r["TIMatched"])
			}
		default:
			class = "public"
			if r["TIMatched"] != "" && r["TIMatched"] != nil {
				t.Errorf("row %d: %s matched %v", i, dst, r["TIMatched"])
			}
		}
		if addr.IsGlobalUnicast() && !addr.IsPrivate() {
			public[dst] = true
		}
		if src, _ := r["SourceAddress"].(string); src != "" {
			if a, err := netip.ParseAddr(src); err == nil && a.IsGlobalUnicast() && !a.IsPrivate() {
				public[src] = true
			}
		}
		byClass[class]++
		if want != "" && !strings.Contains(detail, want) {
			t.Errorf("row %d (%s): detail %q lacks %q", i, class, detail, want)
		}
	}
	for _, c := range []string{"multicast", "private", "loopback", "link-local", "azure", "malicious", "public"} {
		if byClass[c] == 0 {
			t.Errorf("no %s destination in the recordings (classes %v)", c, byClass)
		}
	}

	// Every distinct public address was sent once; nothing else was sent.
	// (The free VirusTotal tier's 4 requests a minute is raised above for
	// the test through Args, as a user with a paid key would.)
	vt.mu.Lock()
	for ip, n := range vt.calls {
		if !public[ip] || n != 1 {
			t.Errorf("VirusTotal asked for %q %d times (public: %v)", ip, n, public[ip])
		}
	}
	if len(vt.calls) != len(public) || vt.bad != 0 {
		t.Errorf("VirusTotal asked for %d addresses, %d public; %d without key", len(vt.calls), len(public), vt.bad)
	}
	vt.mu.Unlock()

	// --enrich-output: one lookup row per distinct address and provider.
	out, _, code = runQueryCLI(t, env, append(query, "--enrich", "SourceAddress,DestinationAddress", "--enrich-output")...)
	if code != 0 {
		t.Fatalf("enrich-output: exit %d", code)
	}
	distinct := map[string]bool{}
	for _, r := range in {
		for _, c := range []string{"SourceAddress", "DestinationAddress"} {
			if v, _ := r[c].(string); v != "" {
				distinct[v] = true
			}
		}
	}
	lk := ndjsonRows(t, out)
	if len(lk) != 2*len(distinct) {
		t.Errorf("%d lookup rows for %d distinct addresses and 2 providers", len(lk), len(distinct))
	}
	statuses := map[string]int{}
	for _, r := range lk {
		statuses[fmt.Sprint(r["Provider"], "/", r["StatusName"])]++
	}
	for _, s := range []string{"Feeds/not routable", "VirusTotal/not routable", "Feeds/not found", "VirusTotal/found", "VirusTotal/not found"} {
		if statuses[s] == 0 {
			t.Errorf("no %s row (%v)", s, statuses)
		}
	}
}
