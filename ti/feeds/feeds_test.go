package feeds

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/msticgo/msticgo/internal/testcorpus"
	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/registry"
)

func newProv(t *testing.T, args map[string]string, base string) *Provider {
	t.Helper()
	s, err := ParseSettings(args, base)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(context.Background(), "Feeds", s, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func look(p *Provider, typ, v string) lookup.Result {
	return p.Lookup(context.Background(), lookup.Item{Ioc: v, Type: typ, Value: v})
}

func TestClassify(t *testing.T) {
	cases := []struct{ in, typ, val string }{
		{"1.2.3.4", "ipv4", "1.2.3.4"},
		{"1[.]2[.]3[.]4", "ipv4", "1.2.3.4"},
		{"10.0.0.0/8", "ipv4", "10.0.0.0/8"},
		{"10.1.2.3/8", "ipv4", "10.0.0.0/8"},
		{"2001:DB8::1", "ipv6", "2001:db8::1"},
		{"Evil.COM.", "dns", "evil.com"},
		{"evil[.]com", "dns", "evil.com"},
		{"bücher.de", "dns", "xn--bcher-kva.de"},
		{"hxxp://Evil.com/a/B?x=1#frag", "url", "http://evil.com/a/B?x=1"},
		{"https://evil.com/", "url", "https://evil.com"},
		{"D41D8CD98F00B204E9800998ECF8427E", "md5_hash", "d41d8cd98f00b204e9800998ecf8427e"},
		{"da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha1_hash", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
		{"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256_hash", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"Bad.Guy@Evil.com", "email", "bad.guy@evil.com"},
		{"localhost", "", ""},
		{"not an indicator", "", ""},
		{"domain autuo.xicp.net", "", ""},
		{"123", "", ""},
	}
	for _, c := range cases {
		n, ok := Classify(c.in)
		if c.typ == "" {
			if ok {
				t.Errorf("Classify(%q) = %+v, want not an indicator", c.in, n)
			}
			continue
		}
		if !ok || n.Type != c.typ || n.Value != c.val {
			t.Errorf("Classify(%q) = %+v %v, want %s %s", c.in, n, ok, c.typ, c.val)
		}
	}
}

func TestMatching(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "list.txt", `# header comment
# APT-X infrastructure
1.2.3.4
198.51.0.0/16
evil.com
hxxp://bad[.]org/payload.exe
2001:db8:abcd::/48
d41d8cd98f00b204e9800998ecf8427f
not-an-indicator line
`)
	p := newProv(t, map[string]string{"Files": "list.txt"}, dir)
	cases := []struct {
		typ, v string
		found  bool
		how    string
	}{
		{"ipv4", "1.2.3.4", true, "exact"},
		{"ipv4", "1.2.3.5", false, ""},
		{"ipv4", "198.51.7.9", true, "network 198.51.0.0/16"},
		{"dns", "evil.com", true, "exact"},
		{"dns", "A.B.Evil.com", true, "subdomain of evil.com"},
		{"dns", "notevil.com", false, ""},
		{"url", "http://bad.org/payload.exe", true, "exact"},
		{"url", "http://BAD.org/payload.exe#x", true, "exact"},
		{"url", "https://cdn.evil.com/x", true, "url host cdn.evil.com, subdomain of evil.com"},
		{"url", "http://1.2.3.4:8080/x", true, "url host 1.2.3.4"},
		{"ipv6", "2001:db8:abcd:1::5", true, "network 2001:db8:abcd::/48"},
		{"md5_hash", "D41D8CD98F00B204E9800998ECF8427F", true, "exact"},
		{"file_hash", "d41d8cd98f00b204e9800998ecf8427f", true, "exact"},
	}
	for _, c := range cases {
		r := look(p, c.typ, c.v)
		if r.Found != c.found {
			t.Errorf("%s %s: found=%v want %v (%v)", c.typ, c.v, r.Found, c.found, r.Details)
			continue
		}
		if !c.found {
			if r.Status != lookup.StatusNotFound {
				t.Errorf("%s %s: status %v", c.typ, c.v, r.Status)
			}
			continue
		}
		ms := r.RawResult.(map[string]any)["matches"].([]any)
		m0 := ms[0].(map[string]any)
		if m0["match"] != c.how || m0["severity"] != "high" || r.Severity != lookup.SevHigh {
			t.Errorf("%s %s: match %+v sev %v, want how %q", c.typ, c.v, m0, r.Severity, c.how)
		}
	}
	r := look(p, "ipv4", "1.2.3.4")
	m0 := r.RawResult.(map[string]any)["matches"].([]any)[0].(map[string]any)
	if m0["line"] != int64(3) || m0["info"] != "APT-X infrastructure" {
		t.Errorf("line/comment not kept: %+v", m0)
	}
	if r := look(p, "ipv4", "not.an.ip"); r.Status != lookup.StatusInvalid {
		t.Errorf("invalid ip: %v", r.Status)
	}
	if r := look(p, "windows_path", `C:\x`); r.Status != lookup.StatusUnsupported {
		t.Errorf("unsupported type: %v", r.Status)
	}
	st := p.SourceStats()
	if len(st) != 1 || st[0].Skipped != 1 || !strings.Contains(st[0].Problems[0], "line 9") {
		t.Errorf("stats: %+v", st)
	}
	if st[0].Counts["ipv4"] != 1 || st[0].Counts["ipv4_cidr"] != 1 || st[0].Counts["dns"] != 1 || st[0].Counts["ipv6_cidr"] != 1 {
		t.Errorf("counts: %+v", st[0].Counts)
	}
}

func TestDomainMatchExact(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "d.txt", "evil.com\n")
	p := newProv(t, map[string]string{"Feed1": "d.txt", "Feed1DomainMatch": "exact"}, dir)
	if r := look(p, "dns", "a.evil.com"); r.Found {
		t.Error("exact domain matched a subdomain")
	}
	if r := look(p, "dns", "evil.com"); !r.Found {
		t.Error("exact domain did not match itself")
	}
}

func TestCSVAndLoki(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "v.csv", "ioc,kind,sev,desc\n1.2.3.4,ipv4,warning,scanner\nevil.com,dns,,c2\n")
	write(t, dir, "h.txt", "# LOKI\nd41d8cd98f00b204e9800998ecf8427f;Empty-ish sample\n")
	p := newProv(t, map[string]string{
		"Feed1": "v.csv", "Feed1Columns": "value=ioc,type=kind,severity=sev,comment=desc", "Feed1Severity": "information",
		"Feed2": "h.txt",
	}, dir)
	r := look(p, "ipv4", "1.2.3.4")
	if !r.Found || r.Severity != lookup.SevWarning || !strings.Contains(r.Details.(string), "scanner") {
		t.Errorf("csv row: %+v", r)
	}
	if r := look(p, "dns", "evil.com"); r.Severity != lookup.SevInformation {
		t.Errorf("csv default severity: %v", r.Severity)
	}
	r = look(p, "md5_hash", "d41d8cd98f00b204e9800998ecf8427f")
	if !r.Found || !strings.Contains(r.Details.(string), "Empty-ish sample") {
		t.Errorf("loki row: %+v", r)
	}
	for _, st := range p.SourceStats() {
		if strings.HasSuffix(st.Source, "h.txt") && st.Format != "loki" {
			t.Errorf("format %q", st.Format)
		}
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "good.txt", "1.2.3.4\n")
	write(t, dir, "bad.json", "{\"type\": \"bundle\", \"objects\": [\n{,}\n]}")
	write(t, dir, "nocol.csv", "a,b\n1,2\n")
	write(t, dir, "wl.json", `{"name":"re","type":"regex","list":["/x/"],"description":"d","version":1}`)
	write(t, dir, "wlx.json", `{"name":"Odd","type":"blocklist","list":["9.9.9.9"],"description":"d","version":1}`)
	write(t, dir, "wlok.json", `{"name":"Quad9","type":"cidr","list":["9.9.9.9/32"],"description":"d","version":1}`)
	p := newProv(t, map[string]string{
		"Files":        "good.txt;bad.json;missing.txt",
		"Feed1":        "nocol.csv",
		"Feed1Columns": "value=ioc",
		"Warninglists": "wl.json;wlx.json;wlok.json",
	}, dir)
	if r := look(p, "ipv4", "1.2.3.4"); !r.Found {
		t.Error("good feed not loaded beside bad ones")
	}
	if r := look(p, "ipv4", "9.9.9.9"); r.Found || !strings.Contains(fmt.Sprint(r.Details), "known benign: Quad9") || strings.Contains(fmt.Sprint(r.Details), "Odd") {
		t.Errorf("good warninglist beside one of an unknown type: %+v", r)
	}
	errs := map[string]string{}
	for _, st := range p.SourceStats() {
		errs[filepath.Base(strings.Fields(st.Source)[0])] = st.Error
	}
	for f, want := range map[string]string{
		"bad.json":    "line 2",
		"nocol.csv":   `CSV column "ioc" (mapped to value) not in the header`,
		"missing.txt": "no such file",
		"wl.json":     `type "regex", which msticgo does not evaluate`,
		"wlx.json":    `warninglist "Odd" has type "blocklist", which msticgo does not evaluate (supported: cidr, hostname, string, substring)`,
	} {
		if !strings.Contains(errs[f], want) {
			t.Errorf("%s: error %q, want it to contain %q", f, errs[f], want)
		}
	}
	for _, f := range []string{"good.txt", "wlok.json"} {
		if e, ok := errs[f]; !ok || e != "" {
			t.Errorf("%s: listed %v, error %q", f, ok, e)
		}
	}
}

func TestSettingsErrors(t *testing.T) {
	for _, c := range []struct {
		args map[string]string
		want string
	}{
		{map[string]string{"Filez": "x"}, `unknown setting "Filez"`},
		{map[string]string{"Retries": "1"}, `setting "Retries" does not apply to Feeds: its lookups are local`},
		{map[string]string{"timeout": "1m30s"}, `setting "timeout" does not apply to Feeds`},
		{map[string]string{"RateLimit": "4/min"}, `setting "RateLimit" does not apply to Feeds`},
		{map[string]string{"Feed1Columns": "value=x"}, "no Feed1 file"},
		{map[string]string{"Feed1": "a", "Feed1Format": "xml"}, `unknown format "xml"`},
		{map[string]string{"Feed1": "a", "Feed1Columns": "valu=x"}, `unknown role "valu"`},
		{map[string]string{"Severity": "extreme"}, `unknown severity`},
		{map[string]string{"Embedded": "other"}, `unknown embedded set`},
		{map[string]string{"ReloadInterval": "soon"}, `positive duration`},
	} {
		_, err := ParseSettings(c.args, "")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err %v, want %q", c.args, err, c.want)
		}
	}
	if _, err := New(context.Background(), "Feeds", &Settings{}, nil); err == nil {
		t.Error("no feeds: want an error")
	}
}

func TestWarninglistPrecedence(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "f.txt", "8.8.8.8\nevil.com\nwww.google.com\n")
	write(t, dir, "dns.json", `{"name":"Public DNS","type":"cidr","list":["8.8.8.0/24"],"matching_attributes":["ip-dst"],"description":"d","version":1}`)
	write(t, dir, "top.json", `{"name":"Top sites","type":"hostname","list":["google.com"],"matching_attributes":["hostname","url"],"description":"d","version":1}`)
	write(t, dir, "sub.json", `{"name":"Subs","type":"substring","list":["safe-cdn"],"description":"d","version":1}`)
	write(t, dir, "str.json", `{"name":"Strings","type":"string","list":["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],"matching_attributes":["sha256"],"description":"d","version":1}`)
	base := map[string]string{"Files": "f.txt", "Warninglists": dir}
	p := newProv(t, base, dir)
	r := look(p, "ipv4", "8.8.8.8")
	if r.Found || r.Status != lookup.StatusNotFound || !strings.HasPrefix(r.Details.(string), "known benign: Public DNS") || r.Severity != lookup.SevInformation {
		t.Errorf("suppress: %+v", r)
	}
	if r := look(p, "ipv4", "8.8.8.9"); r.Found || !strings.Contains(r.Details.(string), "known benign") {
		t.Errorf("benign-only ip: %+v", r)
	}
	if r := look(p, "url", "https://mail.google.com/x"); r.Found || !strings.Contains(r.Details.(string), "Top sites") {
		t.Errorf("url host benign: %+v", r)
	}
	if r := look(p, "url", "https://8.8.8.8/x"); strings.Contains(r.Details.(string), "Public DNS") {
		t.Errorf("list without url attribute applied to a URL: %+v", r)
	}
	if r := look(p, "dns", "x.safe-cdn.net"); !strings.Contains(r.Details.(string), "Subs") {
		t.Errorf("substring: %+v", r)
	}
	if r := look(p, "sha256_hash", "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"); !strings.Contains(r.Details.(string), "Strings") {
		t.Errorf("string list: %+v", r)
	}
	if r := look(p, "dns", "evil.com"); !r.Found {
		t.Errorf("plain feed hit: %+v", r)
	}
	ann := map[string]string{"Files": "f.txt", "Warninglists": dir, "WarninglistMode": "annotate"}
	p2 := newProv(t, ann, dir)
	r = look(p2, "ipv4", "8.8.8.8")
	if !r.Found || r.Severity != lookup.SevHigh || !strings.Contains(r.Details.(string), "also known benign: Public DNS") {
		t.Errorf("annotate: %+v", r)
	}
}

func TestReload(t *testing.T) {
	dir := t.TempDir()
	f := write(t, dir, "f.txt", "1.2.3.4\n")
	p := newProv(t, map[string]string{"Files": "f.txt", "ReloadInterval": "1ms"}, dir)
	if !look(p, "ipv4", "1.2.3.4").Found {
		t.Fatal("not loaded")
	}
	// Lookups keep running while the file changes and reloads.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					r := look(p, "ipv4", "1.2.3.4")
					if r.Status != lookup.StatusFound && r.Status != lookup.StatusNotFound {
						t.Errorf("status during reload: %v", r.Status)
						return
					}
				}
			}
		}()
	}
	if err := os.WriteFile(f, []byte("5.6.7.8\n9.9.9.10\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(f, later, later); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !look(p, "ipv4", "5.6.7.8").Found {
		if time.Now().After(deadline) {
			t.Fatal("change not picked up")
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if look(p, "ipv4", "1.2.3.4").Found {
		t.Error("old entry still there after reload")
	}
	// On demand.
	write(t, dir, "f.txt", "4.4.4.4\n")
	if err := p.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !look(p, "ipv4", "4.4.4.4").Found || p.Size() != 1 {
		t.Error("Reload did not swap the index")
	}
}

func TestEmbeddedDefault(t *testing.T) {
	p := newProv(t, map[string]string{"Embedded": "default"}, "")
	for _, c := range []struct {
		typ, v string
		found  bool
		sev    lookup.Severity
	}{
		{"ipv4", "91.234.254.144", true, lookup.SevHigh},
		{"ipv4", "185.229.191.41", true, lookup.SevHigh},
		{"ipv4", "45.135.167.27", true, lookup.SevWarning},
		{"dns", "softupdates.info", true, lookup.SevHigh},
		{"dns", "cdn.softupdates.info", true, lookup.SevHigh},
		{"ipv4", "8.8.8.8", false, lookup.SevInformation},
		{"dns", "www.bing.com", false, lookup.SevInformation},
	} {
		r := look(p, c.typ, c.v)
		if r.Found != c.found || r.Severity != c.sev {
			t.Errorf("%s: found %v sev %v (%v)", c.v, r.Found, r.Severity, r.Details)
		}
	}
	if r := look(p, "ipv4", "8.8.8.8"); !strings.Contains(r.Details.(string), "known benign") {
		t.Errorf("8.8.8.8: %v", r.Details)
	}
	for _, st := range p.SourceStats() {
		if st.Error != "" || st.Skipped != 0 {
			t.Errorf("embedded source %s: %+v", st.Source, st)
		}
	}
	if got := EmbeddedSets(); len(got) != 1 || got[0] != "default" {
		t.Errorf("sets: %v", got)
	}
}

func TestRegistered(t *testing.T) {
	reg, err := registry.Lookup(registry.KindTI, "feeds")
	if err != nil {
		t.Fatal(err)
	}
	v, err := reg.Factory(context.Background(), registry.FactoryArgs{Entry: "MyFeeds", Settings: map[string]string{"Embedded": "default"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := v.(lookup.Provider); !ok {
		t.Fatal("not a lookup.Provider")
	}
	if _, err := reg.Factory(context.Background(), registry.FactoryArgs{Entry: "MyFeeds", Settings: map[string]string{"Bogus": "1"}}); err == nil || !strings.Contains(err.Error(), "MyFeeds") {
		t.Errorf("bad settings error: %v", err)
	}
}

func TestCorpusFeeds(t *testing.T) {
	stix := testcorpus.Path(t, "feeds", "stix")
	misp := testcorpus.Path(t, "feeds", "misp")
	iocs := testcorpus.Path(t, "iocs")
	wl := testcorpus.Path(t, "feeds", "misp-warninglists")
	p := newProv(t, map[string]string{
		"Files":        stix + ";" + misp + ";" + filepath.Join(iocs, "sigbase_c2-iocs.txt") + ";" + filepath.Join(iocs, "sigbase_hash-iocs.txt") + ";" + filepath.Join(iocs, "eset_groundbait_samples.sha256"),
		"Warninglists": wl,
	}, "")
	byFile := map[string]lookup.SourceStat{}
	for _, st := range p.SourceStats() {
		byFile[filepath.Base(strings.Fields(st.Source)[0])] = st
		if st.Error != "" {
			t.Errorf("%s: %s", st.Source, st.Error)
		}
	}
	// STIX: the APT1 bundle has 12 indicators; the two x509 AND patterns are skipped.
	if st := byFile["oasis_apt1.stix21.json"]; st.Total != 10 || st.Skipped != 2 || st.Counts["ipv4_cidr"] != 4 {
		t.Errorf("apt1: %+v", st)
	}
	// PoisonIvy: compound OR patterns; two file:name patterns and one bad domain value are skipped.
	if st := byFile["oasis_poisonivy.stix21.json"]; st.Skipped != 3 || st.Total < 40 {
		t.Errorf("poisonivy: %+v", st)
	}
	if st := byFile["eset_sednit_2018-11-20_Zebrocy.misp.json"]; st.Counts["sha1_hash"] != 5 || st.Counts["md5_hash"] != 5 || st.Counts["email"] != 11 || st.Counts["url"] != 2 {
		t.Errorf("zebrocy: %+v", st)
	}
	// The bare {"Event": ...} shape: two sha1 attributes; text and filename ignored.
	if st := byFile["eset_sshdoor_akiva.misp.json"]; st.Counts["sha1_hash"] != 2 || st.Total != 2 || st.Format != "misp" {
		t.Errorf("sshdoor: %+v", st)
	}
	if st := byFile["public-dns-v4.json"]; st.Total < 60000 {
		t.Errorf("public-dns-v4: %+v", st)
	}
	for _, c := range []struct {
		typ, v string
		found  bool
		in     string
	}{
		{"ipv4", "223.167.1.1", true, "network 223.166.0.0/15"},                                              // STIX CIDR
		{"dns", "microsofte.byinter.net", true, "oasis_poisonivy"},                                           // OR inside an observation
		{"sha256_hash", "9b0b78716c0c1c5d01231017ef2733115b0a31c1d9b751525d04da89ef17b7d1", true, "CodeCov"}, // 'SHA-256'
		{"sha1_hash", "7768fd2812ceff05db8f969a7bed1de5615bfc5a", true, "Zebrocy"},                           // filename|sha1
		{"md5_hash", "01c0b7c5bf605ed267b2be3d024eb90f", true, "CloudMensis"},                                // MISP Object
		{"sha1_hash", "f7d9159b6f3eeff0cfc6626d665bc781a2b012df", true, "SSHDoor"},                           // bare Event
		{"dns", "suroot.com", true, "FireEye Operation Snowman"},                                             // LOKI C2 list comment
		{"ipv4", "8.8.8.8", false, "known benign"},                                                           // public DNS
		{"md5_hash", "d41d8cd98f00b204e9800998ecf8427e", false, "known benign"},                              // empty-file hash
	} {
		r := look(p, c.typ, c.v)
		d, _ := r.Details.(string)
		if r.Found != c.found || !strings.Contains(d, c.in) {
			t.Errorf("%s: found %v details %q, want %v containing %q", c.v, r.Found, d, c.found, c.in)
		}
	}
}

// TestCIDRTableAgainstBruteForce checks the interval table against plain
// containment on random nested and disjoint networks.
func TestCIDRTableAgainstBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	for round := range 8 {
		ix := newIndex()
		var nets []netip.Prefix
		for range 1 + r.IntN(300) {
			a := netip.AddrFrom4([4]byte{byte(r.IntN(4)), byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256))})
			p := netip.PrefixFrom(a, r.IntN(32)).Masked()
			if round == 0 {
				p = netip.PrefixFrom(a, 0).Masked()
			}
			nets = append(nets, p)
			ix.add(0, Indicator{Value: Normalised{Class: ClassIP, Type: "ipv4", Value: p.String(), Prefix: p, IsCIDR: true}})
		}
		ix.seal()
		for range 400 {
			a := netip.AddrFrom4([4]byte{byte(r.IntN(5)), byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256))})
			if r.IntN(3) == 0 {
				a = nets[r.IntN(len(nets))].Addr()
			}
			want := map[string]int{}
			for _, p := range nets {
				if p.Contains(a) {
					want[p.String()]++
				}
			}
			got := map[string]int{}
			ix.match(Normalised{Class: ClassIP, Prefix: netip.PrefixFrom(a, 32)}, func(h int32, _, key string) bool {
				for e := h; e >= 0; e = ix.entries[e].next {
					got[key]++
				}
				return true
			})
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("round %d, %s: got %v want %v", round, a, got, want)
			}
		}
	}
}

// logCounter is a slog handler that keeps every record's message and
// attributes as text.
type logCounter struct {
	mu    sync.Mutex
	lines []string
}

func (l *logCounter) Enabled(context.Context, slog.Level) bool { return true }
func (l *logCounter) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logCounter) WithGroup(string) slog.Handler            { return l }
func (l *logCounter) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	l.mu.Lock()
	l.lines = append(l.lines, b.String())
	l.mu.Unlock()
	return nil
}

func (l *logCounter) matching(sub string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, s := range l.lines {
		if strings.Contains(s, sub) {
			out = append(out, s)
		}
	}
	return out
}

// TestSTIXPatternNotEvaluableReportedOnce: patterns the engine cannot
// evaluate (AND, FOLLOWEDBY, other operators, non-string literals, other
// pattern languages) are skipped and counted, each named by its object id;
// the source is reported in one log line, not once per pattern, and not
// again when a reload finds the same problems. The evaluable indicators
// of the same bundle load.
func TestSTIXPatternNotEvaluableReportedOnce(t *testing.T) {
	dir := t.TempDir()
	bundle := `{"type":"bundle","id":"bundle--1","objects":[
 {"type":"indicator","id":"indicator--good","pattern":"[ipv4-addr:value = '203.0.113.77'] OR [domain-name:value = 'c2.example.com']","pattern_type":"stix"},
 {"type":"indicator","id":"indicator--and","pattern":"[file:name = 'a.exe' AND file:size = 10]","pattern_type":"stix"},
 {"type":"indicator","id":"indicator--followed","pattern":"[ipv4-addr:value = '1.2.3.4'] FOLLOWEDBY [ipv4-addr:value = '5.6.7.8']","pattern_type":"stix"},
 {"type":"indicator","id":"indicator--like","pattern":"[domain-name:value LIKE '%.example.org']","pattern_type":"stix"},
 {"type":"indicator","id":"indicator--int","pattern":"[network-traffic:dst_port = 443]","pattern_type":"stix"},
 {"type":"indicator","id":"indicator--sigma","pattern":"title: x","pattern_type":"sigma"},
 {"type":"malware","id":"malware--1","name":"not an indicator"}
]}`
	write(t, dir, "b.stix.json", bundle)
	logs := &logCounter{}
	s, err := ParseSettings(map[string]string{"Files": "b.stix.json", "Reload": "off"}, dir)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(context.Background(), "Feeds", s, slog.New(logs))
	if err != nil {
		t.Fatal(err)
	}
	if !look(p, "ipv4", "203.0.113.77").Found || !look(p, "dns", "c2.example.com").Found {
		t.Error("the evaluable indicator did not load")
	}
	st := p.SourceStats()
	if len(st) != 1 || st[0].Total != 2 || st[0].Skipped != 5 || st[0].Error != "" {
		t.Fatalf("stats %+v", st)
	}
	probs := strings.Join(st[0].Problems, "\n")
	for _, id := range []string{"indicator--and", "indicator--followed", "indicator--like", "indicator--int", "indicator--sigma"} {
		if !strings.Contains(probs, id) {
			t.Errorf("problem list does not name %s:\n%s", id, probs)
		}
	}
	if got := logs.matching("skipped"); len(got) != 1 || !strings.Contains(got[0], "skipped=5") || !strings.Contains(got[0], "indicator--and") {
		t.Errorf("want one log line for the source, got %q", got)
	}
	if err := p.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := logs.matching("skipped"); len(got) != 1 {
		t.Errorf("reload of the same file reported again: %q", got)
	}
}

// TestMISPShapes reads MISP events in each shape MISP exports ({"response":
// [...]} with attributes and with Objects, a bare {"Event": ...}, a list of
// {"Event": ...}), composite types, deleted attributes and threat levels.
func TestMISPShapes(t *testing.T) {
	event := func(id, level, attrs string) string {
		return `{"Event":{"id":"` + id + `","info":"Event ` + id + `","threat_level_id":"` + level + `",` + attrs + `}}`
	}
	cases := []struct {
		name, body string
		look       [][2]string // type, value expected found
		sev        lookup.Severity
		miss       [][2]string
		skipped    int
	}{
		{"response with attributes", `{"response":[` + event("1", "1", `"Attribute":[{"id":"11","type":"ip-dst","value":"203.0.113.5"},{"id":"12","type":"domain","value":"c2.example.com"}]`) + `]}`,
			[][2]string{{"ipv4", "203.0.113.5"}, {"dns", "www.c2.example.com"}}, lookup.SevHigh, nil, 0},
		{"response with objects", `{"response":[` + event("2", "2", `"Object":[{"id":"5","name":"file","Attribute":[{"id":"21","type":"md5","value":"01c0b7c5bf605ed267b2be3d024eb90f"},{"id":"22","type":"filename","value":"a.exe"}]}]`) + `]}`,
			[][2]string{{"md5_hash", "01C0B7C5BF605ED267B2BE3D024EB90F"}}, lookup.SevWarning, nil, 0},
		{"bare event", event("3", "3", `"Attribute":[{"id":"31","type":"sha1","value":"f7d9159b6f3eeff0cfc6626d665bc781a2b012df"},{"id":"32","type":"text","value":"Linux/SSHDoor"}]`),
			[][2]string{{"sha1_hash", "f7d9159b6f3eeff0cfc6626d665bc781a2b012df"}}, lookup.SevInformation, nil, 0},
		{"list of events", `[` + event("4", "4", `"Attribute":[{"id":"41","type":"url","value":"http://bad.example.com/x.exe"}]`) + `,` + event("5", "1", `"Attribute":[{"id":"51","type":"email-src","value":"Phish@Bad.example.com"}]`) + `]`,
			[][2]string{{"url", "http://bad.example.com/x.exe"}, {"email", "phish@bad.example.com"}}, lookup.SevInformation, nil, 0},
		{"composite and deleted", event("6", "1", `"Attribute":[{"id":"61","type":"filename|sha1","value":"a.exe|7768fd2812ceff05db8f969a7bed1de5615bfc5a"},{"id":"62","type":"domain|ip","value":"evil.example.com|198.51.100.9"},{"id":"63","type":"ip-dst|port","value":"192.0.2.44|443"},{"id":"64","type":"ip-dst","value":"192.0.2.45","deleted":true},{"id":"65","type":"domain|ip","value":"only-one-part.example.com"},{"id":"66","type":"ip-src","value":"999.1.1.1"}]`),
			[][2]string{{"sha1_hash", "7768fd2812ceff05db8f969a7bed1de5615bfc5a"}, {"dns", "evil.example.com"}, {"ipv4", "198.51.100.9"}, {"ipv4", "192.0.2.44"}}, lookup.SevHigh,
			[][2]string{{"ipv4", "192.0.2.45"}}, 2},
		// Other tools write ids as numbers and deleted as 0/1; an attribute
		// that cannot be read (a list as value) is skipped and counted, not
		// the whole file.
		{"numbers and odd attributes", `{"Event":{"id":7,"info":"Event 7","threat_level_id":1,"Attribute":[{"id":71,"type":"ip-dst","value":"203.0.113.71","deleted":0},` +
			`{"id":72,"type":"ip-dst","value":["203.0.113.72"]},{"id":73,"type":"ip-dst","value":"203.0.113.73","deleted":"1"},{"id":74,"type":"domain","value":"odd.example.com","deleted":"maybe"}]}}`,
			[][2]string{{"ipv4", "203.0.113.71"}}, lookup.SevHigh, [][2]string{{"ipv4", "203.0.113.72"}, {"ipv4", "203.0.113.73"}, {"dns", "odd.example.com"}}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "e.json", c.body)
			p := newProv(t, map[string]string{"Files": "e.json", "Severity": "information"}, dir)
			st := p.SourceStats()
			if len(st) != 1 || st[0].Error != "" || st[0].Format != "misp" || st[0].Skipped != c.skipped {
				t.Fatalf("stats %+v", st)
			}
			for _, l := range c.look {
				r := look(p, l[0], l[1])
				if !r.Found {
					t.Errorf("%s %s not found: %v", l[0], l[1], r.Details)
					continue
				}
				m0 := r.RawResult.(map[string]any)["matches"].([]any)[0].(map[string]any)
				if ref, _ := m0["ref"].(string); !strings.HasPrefix(ref, "event ") || !strings.Contains(ref, "attribute ") {
					t.Errorf("%s: reference %q does not name the event and attribute", l[1], ref)
				}
			}
			if r := look(p, c.look[0][0], c.look[0][1]); r.Severity != c.sev {
				t.Errorf("severity %v, want %v (threat level; 4 or none: the file's Severity)", r.Severity, c.sev)
			}
			for _, l := range c.miss {
				if r := look(p, l[0], l[1]); r.Found {
					t.Errorf("%s %s: deleted attribute found", l[0], l[1])
				}
			}
		})
	}
	// A JSON document that is no MISP event at all fails that file only.
	dir := t.TempDir()
	write(t, dir, "a.json", `{"response": "nope"}`)
	write(t, dir, "b.txt", "203.0.113.8\n")
	p := newProv(t, map[string]string{"Feed1": "a.json", "Feed1Format": "misp", "Feed2": "b.txt"}, dir)
	if !look(p, "ipv4", "203.0.113.8").Found {
		t.Error("other feed not loaded")
	}
	for _, st := range p.SourceStats() {
		if strings.HasSuffix(st.Source, "a.json") && !strings.Contains(st.Error, "response") {
			t.Errorf("a.json error %q", st.Error)
		}
	}
	// A problem names the event, the attribute and its line; a wrongly
	// shaped event is skipped and counted, naming its line.
	write(t, dir, "c.json", "{\"Event\": {\"id\": \"8\",\n \"Attribute\": [\n  {\"id\": \"81\", \"type\": \"ip-dst\", \"value\": {\"x\": 1}}]}}")
	write(t, dir, "d.json", "{\"response\": [\n {\"Event\": {\"id\": \"9\"}},\n {\"Event\": \"not an event\"}]}")
	// (b.txt: c.json and d.json hold nothing else, and an entry with no
	// indicator at all is not configured)
	p = newProv(t, map[string]string{"Feed1": "c.json", "Feed1Format": "misp", "Feed2": "d.json", "Feed2Format": "misp", "Feed3": "b.txt"}, dir)
	for _, st := range p.SourceStats() {
		probs := strings.Join(st.Problems, "\n")
		switch filepath.Base(st.Source) {
		case "c.json":
			if st.Skipped != 1 || !strings.Contains(probs, "event 8 attribute 81 (line 3): not read: value: want text, got a JSON object") {
				t.Errorf("c.json: %+v", st)
			}
		case "d.json":
			// nothing read but a skipped item: not loaded, saying why
			if !strings.Contains(st.Error, "d.json: no indicator in it: 1 entry skipped (first: item 2 (line 3)") || st.Skipped != 1 || !strings.Contains(probs, "item 2 (line 3): not read: an Event must be a JSON object, not a string") {
				t.Errorf("d.json: %+v", st)
			}
		}
	}
}

// TestSTIX20Bundle: a STIX 2.0 bundle (spec_version on the bundle,
// "labels", no pattern_type) loads like a 2.1 one: = comparisons joined by
// OR inside and across observations, hash keys in both spellings, every
// indicator type; a revoked indicator is skipped and counted.
func TestSTIX20Bundle(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "sharing-group.json", `{"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d", "spec_version": "2.0",
 "objects": [
  {"type": "indicator", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "created": "2016-04-06T20:03:48.000Z",
   "modified": "2016-04-06T20:03:48.000Z", "labels": ["malicious-activity"], "name": "Poison Ivy C2",
   "pattern": "[ipv4-addr:value = '198.51.100.3' OR ipv6-addr:value = '2001:0db8::0003'] OR [domain-name:value = 'C2.Example.ORG']",
   "valid_from": "2016-01-01T00:00:00Z"},
  {"type": "indicator", "id": "indicator--a932fcc6-e032-476c-826f-cb970a5a1ade", "created": "2016-04-06T20:03:48.000Z",
   "modified": "2016-04-06T20:03:48.000Z", "labels": ["malicious-activity"],
   "pattern": "[file:hashes.'SHA-256' = 'AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F'] OR [file:hashes.MD5 = '3773a88f65a5e780c8dff9cdc3a056f3'] OR [url:value = 'http://evil.example.net/drop.exe'] OR [email-addr:value = 'phish@evil.example.net']",
   "valid_from": "2016-01-01T00:00:00Z"},
  {"type": "indicator", "id": "indicator--revoked", "labels": ["benign"], "revoked": true,
   "pattern": "[ipv4-addr:value = '198.51.100.99']", "valid_from": "2016-01-01T00:00:00Z"}
 ]}`)
	p := newProv(t, map[string]string{"Files": "sharing-group.json"}, dir)
	st := p.SourceStats()
	if len(st) != 1 || st[0].Format != "stix" || st[0].Total != 7 || st[0].Skipped != 1 || st[0].Error != "" {
		t.Fatalf("stats %+v", st)
	}
	tests := []struct {
		typ, v string
		found  bool
		info   string
	}{
		{"ipv4", "198.51.100.3", true, "Poison Ivy C2"},
		{"ipv6", "2001:db8::3", true, "Poison Ivy C2"},
		{"dns", "c2.example.org", true, "Poison Ivy C2"},
		{"sha256_hash", "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f", true, "malicious-activity"},
		{"md5_hash", "3773A88F65A5E780C8DFF9CDC3A056F3", true, "malicious-activity"},
		{"url", "http://evil.example.net/drop.exe", true, "indicator--a932fcc6"},
		{"email", "phish@evil.example.net", true, "indicator--a932fcc6"},
		{"ipv4", "198.51.100.99", false, ""},
	}
	for _, tt := range tests {
		r := look(p, tt.typ, tt.v)
		if r.Found != tt.found || !strings.Contains(fmt.Sprint(r.Details), tt.info) {
			t.Errorf("%s %s: found %v details %v; want %v with %q", tt.typ, tt.v, r.Found, r.Details, tt.found, tt.info)
		}
	}
	if !strings.Contains(strings.Join(st[0].Problems, "\n"), "indicator--revoked: revoked") {
		t.Errorf("problems %v", st[0].Problems)
	}
}

// TestCSVQuotes: stray quotes in a CSV feed are read leniently, and a quote
// that is never closed (which makes one field of the rest of the file) is
// reported with its line and the lines it swallowed are counted, not lost
// silently.
func TestCSVQuotes(t *testing.T) {
	tests := []struct {
		name, body string
		found      []string
		missing    []string
		skipped    int
		problem    string
	}{
		{"stray quotes in a comment", "ioc,comment\nevil.example.com,Known \"bad\" host\n198.51.100.1,ok\n",
			[]string{"evil.example.com", "198.51.100.1"}, nil, 0, ""},
		{"quoted commas", "ioc,comment\n\"evil.example.com\",\"c2, stage 2\"\n", []string{"evil.example.com"}, nil, 0, ""},
		{"unclosed quote", "ioc,comment\n45.146.164.1,ok\n45.146.164.2,\"broken\n45.146.164.3,x\n45.146.164.4,y\n",
			[]string{"45.146.164.1", "45.146.164.2"}, []string{"45.146.164.3", "45.146.164.4"}, 2,
			"line 3: a quoted field runs over the next 2 line(s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "f.csv", tt.body)
			p := newProv(t, map[string]string{"Files": "f.csv"}, dir)
			st := p.SourceStats()
			if len(st) != 1 || st[0].Error != "" || st[0].Skipped != tt.skipped {
				t.Fatalf("stats %+v", st)
			}
			if probs := strings.Join(st[0].Problems, "\n"); tt.problem != "" && !strings.Contains(probs, tt.problem) || tt.problem == "" && probs != "" {
				t.Errorf("problems %q, want %q", probs, tt.problem)
			}
			for _, v := range tt.found {
				typ := "ipv4"
				if strings.Contains(v, "example") {
					typ = "dns"
				}
				if !look(p, typ, v).Found {
					t.Errorf("%s not loaded", v)
				}
			}
			for _, v := range tt.missing {
				if look(p, "ipv4", v).Found {
					t.Errorf("%s loaded", v)
				}
			}
		})
	}
}

// TestSTIXObjectNotRead: an indicator object of the wrong shape is skipped
// and counted, the problem naming its id and line; objects of other types
// are ignored whatever their shape; the rest of the bundle loads.
func TestSTIXObjectNotRead(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "b.json", "{\"type\": \"bundle\", \"id\": \"bundle--1\", \"objects\": [\n"+
		" {\"type\": \"indicator\", \"id\": \"indicator--num\", \"pattern\": 42},\n"+
		" {\"type\": \"malware\", \"id\": \"malware--1\", \"name\": [\"odd\"]},\n"+
		" {\"type\": \"indicator\", \"pattern\": [\"x\"]},\n"+
		" {\"type\": \"indicator\", \"id\": \"indicator--ok\", \"pattern\": \"[ipv4-addr:value = '203.0.113.90']\", \"pattern_type\": \"stix\"}\n]}")
	p := newProv(t, map[string]string{"Files": "b.json"}, dir)
	st := p.SourceStats()
	if len(st) != 1 || st[0].Error != "" || st[0].Total != 1 || st[0].Skipped != 2 {
		t.Fatalf("stats %+v", st)
	}
	probs := strings.Join(st[0].Problems, "\n")
	for _, want := range []string{"indicator--num (line 2): not read: pattern is a JSON number", "object 3 (line 4): not read: pattern is a JSON array"} {
		if !strings.Contains(probs, want) {
			t.Errorf("problems %q lack %q", probs, want)
		}
	}
	if !look(p, "ipv4", "203.0.113.90").Found {
		t.Error("the good indicator did not load")
	}
}
