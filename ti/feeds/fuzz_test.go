package feeds

import (
	"bytes"
	"strings"
	"testing"

	"github.com/msticgo/msticgo/lookup"
)

var fuzzOpt = fileOptions{Severity: lookup.SevHigh, Suffix: true}

// checkParsed asserts what every parser promises about its output.
func checkParsed(t *testing.T, p *parsed) {
	t.Helper()
	if len(p.Problems) > maxProblems || len(p.Problems) > p.Skipped {
		t.Fatalf("problems %d, skipped %d", len(p.Problems), p.Skipped)
	}
	ix := newIndex()
	for _, in := range p.Indicators {
		if in.Value.Class == ClassNone || in.Value.Value == "" {
			t.Fatalf("indicator without class or value: %+v", in)
		}
		ix.add(0, in)
	}
	ix.seal()
	for _, in := range p.Indicators {
		if in.Value.IsCIDR {
			continue
		}
		found := false
		ix.match(in.Value, func(h int32, want, _ string) bool {
			for e := h; e >= 0; e = ix.entries[e].next {
				if want == "" || ix.key(&ix.entries[e]) == want {
					found = true
				}
			}
			return true
		})
		if !found {
			t.Fatalf("indexed %+v does not match itself", in.Value)
		}
	}
}

func FuzzParsePlain(f *testing.F) {
	f.Add("# comment\n1.2.3.4\nevil.com\nhxxp://bad[.]org/x\n")
	f.Add("d41d8cd98f00b204e9800998ecf8427f;LOKI comment\n")
	f.Add("10.0.0.0/8\n2001:db8::/32\n\ufeffx\n")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parsePlain(strings.NewReader(s), fuzzOpt)
		if err != nil {
			return
		}
		checkParsed(t, p)
	})
}

func FuzzParseCSV(f *testing.F) {
	f.Add("value,type,severity,comment\n1.2.3.4,ipv4,high,x\n", "")
	f.Add("ioc,kind\nevil.com,dns\n\"a,b\",url\n", "value=ioc,type=kind")
	f.Add("a,b\n1,2\n", "value=c")
	f.Fuzz(func(t *testing.T, s, cols string) {
		opt := fuzzOpt
		if cols != "" {
			m, err := parseColumns(cols)
			if err != nil {
				return
			}
			opt.Columns = m
		}
		p, err := parseCSV(strings.NewReader(s), opt)
		if err != nil {
			return
		}
		checkParsed(t, p)
	})
}

func FuzzSTIXPattern(f *testing.F) {
	for _, s := range []string{
		"[ipv4-addr:value = '1.2.3.4']",
		"[domain-name:value = 'x.com' OR ipv4-addr:value = '1.2.3.4'] OR [url:value = 'http://a.b/c']",
		"[file:hashes.'SHA-256' = 'aa'] AND [file:name = 'x']",
		"[x509-certificate:issuer = 'CN=a\\'b' AND x509-certificate:serial_number = '1']",
		"[a:b = 'c'] WITHIN 5 SECONDS",
		"[",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cmps, err := ParseSTIXPattern(s)
		if err == nil && len(cmps) == 0 {
			t.Fatal("no error and no comparisons")
		}
		for _, c := range cmps {
			if c.Object == "" || c.Path == "" {
				t.Fatalf("empty object or path: %+v", c)
			}
		}
	})
}

func FuzzParseSTIX(f *testing.F) {
	f.Add([]byte(`{"type":"bundle","objects":[{"type":"indicator","id":"indicator--1","pattern":"[ipv4-addr:value = '1.2.3.4']","pattern_type":"stix"}]}`))
	f.Add([]byte(`[{"type":"indicator","pattern":"[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427f']"}]`))
	f.Add([]byte(`{"type":"indicator","pattern":"[url:value = 'http://x.com/a']"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parseSTIX(b, fuzzOpt)
		if err != nil {
			return
		}
		checkParsed(t, p)
	})
}

func FuzzParseMISP(f *testing.F) {
	f.Add([]byte(`{"Event":{"id":"1","info":"x","threat_level_id":"1","Attribute":[{"id":"2","type":"filename|sha1","value":"a.exe|7768fd2812ceff05db8f969a7bed1de5615bfc5a"},{"type":"domain|ip","value":"evil.com|1.2.3.4"}]}}`))
	f.Add([]byte(`{"response":[{"Event":{"id":"1","Object":[{"id":"3","name":"file","Attribute":[{"type":"md5","value":"01c0b7c5bf605ed267b2be3d024eb90f"}]}]}}]}`))
	f.Add([]byte(`[{"Event":{"Attribute":[{"type":"ip-dst|port","value":"1.2.3.4|80"}]}}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parseMISP(b, fuzzOpt)
		if err != nil {
			return
		}
		checkParsed(t, p)
	})
}

func FuzzParseWarninglist(f *testing.F) {
	f.Add([]byte(`{"name":"a","type":"cidr","list":["1.2.3.0/24","8.8.8.8"],"matching_attributes":["ip-dst"]}`))
	f.Add([]byte(`{"name":"b","type":"hostname","list":["google.com",".x.org"]}`))
	f.Add([]byte(`{"name":"c","type":"substring","list":["cdn"]}`))
	f.Add([]byte(`{"name":"d","type":"string","list":["AAA","d41d8cd98f00b204e9800998ecf8427e"]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		w, err := ParseWarninglist(b)
		if err != nil {
			return
		}
		ben := newBenign([]*Warninglist{w})
		for _, n := range w.entries {
			if !n.IsCIDR && n.Class == ClassIP && w.classes&classBit(ClassIP) != 0 && ben.match(n) == nil {
				t.Fatalf("list entry %v does not match itself", n)
			}
		}
	})
}

func FuzzSniff(f *testing.F) {
	f.Add("x.json", []byte(`{"Event":{}}`))
	f.Fuzz(func(t *testing.T, name string, b []byte) {
		_, _ = parseFeed(name, b, FeedSpec{})
		_ = bytes.TrimSpace(b)
	})
}
