package ioc

import (
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"8.8.8.8", "8.8.8[.]8", "10[.]0[.]0[.]1", "8.8.8.8:53", "[2001:db8::1]:443", "fe80::1%eth0",
	"FF02::1", "::ffff:10.0.0.1", "09:14:02", "evil(.)com", "EVIL[dot]COM", "bücher.de", "xn--bcher-kva.de",
	"hxxps://evil[.]com/a?b=c#d.", "hXXp[:]//1.2.3.4:80/x)", "fxp://files[.]example[.]com/a",
	"https://[2001:db8::1]:8443/path", "http://127.0.0.1:8080/", "user[at]evil[.]com",
	"D41D8CD98F00B204E9800998ECF8427E", "00000000000000000000000000000000", "C:\\Program Files\\x.exe",
	"\\\\server\\share\\x", "/usr/bin/bash", "./run.sh", "invoice.pdf", "update.sh", "10.0.0.0/8",
	"", " ", "[.]", "a@b", "http://", "1.2.3.4.5", "999.1.1.1",
}

func FuzzRefang(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := Refang(s)
		if len(r) > len(s) {
			t.Fatalf("Refang(%q) = %q grew", s, r)
		}
		if utf8.ValidString(s) && !utf8.ValidString(r) {
			t.Fatalf("Refang(%q) = %q: invalid UTF-8", s, r)
		}
		if !needsRefang(s) && r != s {
			t.Fatalf("Refang(%q) changed a string with nothing to refang", s)
		}
	})
}

func FuzzClassify(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o := Classify(s)
		if d := Detect(s); d != o.Type {
			t.Fatalf("Detect(%q) = %s but Classify type %s", s, d, o.Type)
		}
		if utf8.ValidString(s) && !utf8.ValidString(o.Value) {
			t.Fatalf("Classify(%q).Value = %q: invalid UTF-8", s, o.Value)
		}
		switch o.Check {
		case Ok, NotRoutable:
			if o.Value == "" {
				t.Fatalf("Classify(%q) = %+v: empty value", s, o)
			}
			// normalisation is idempotent and the value keeps its type
			again := Preprocess(o.Value, o.Type)
			if again.Value != o.Value || again.Check != o.Check {
				t.Fatalf("Preprocess(Classify(%q).Value=%q, %s) = %+v", s, o.Value, o.Type, again)
			}
			if o.Type != DNS || !strings.Contains(o.Value, ".") {
				if d := Detect(o.Value); d != o.Type && !(o.Type == DNS && fileLike(o.Value)) {
					t.Fatalf("Detect(%q) = %s, want %s (from %q)", o.Value, d, o.Type, s)
				}
			}
		case Invalid:
			if o.Value != "" || o.Reason == "" {
				t.Fatalf("Classify(%q) = %+v: invalid needs a reason and no value", s, o)
			}
		case Unsupported:
			if o.Type != Unknown {
				t.Fatalf("Classify(%q) = %+v", s, o)
			}
		}
		// an explicit type never panics and never changes the type
		for _, typ := range []Type{IPv4, IPv6, IP, DNS, Hostname, URL, MD5, FileHash, Email, CIDR, LinuxPath} {
			p := Preprocess(s, typ)
			if (typ != IP && p.Type != typ) || (typ == IP && !p.Type.IsIP()) {
				t.Fatalf("Preprocess(%q, %s).Type = %s", s, typ, p.Type)
			}
		}
	})
}

func fileLike(d string) bool {
	i := strings.LastIndexByte(d, '.')
	return strings.Count(d, ".") == 1 && fileExtTLDs[d[i+1:]]
}

func FuzzExtract(f *testing.F) {
	f.Add("C2: 185.220.101[.]47 and hxxps://paste.example-share[.]io/raw/Zx81Ka, mail billing[at]invoices-portal[.]com")
	f.Add("Nov 28 09:14:02 sshd: from 203.0.113.77 port 5 C:\\Program Files\\Microsoft Office\\x.exe /usr/bin/curl")
	f.Add("tmpl.dll MD5 5f4dcc3b5aa765d61d8327deb882cf99 2a05:d014:8a0:4b00::17 10.0.0.0/8 bücher.de")
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ms := Extract(text)
		last := -1
		seen := map[string]bool{}
		for _, m := range ms {
			if m.Offset < 0 || m.Offset+len(m.Raw) > len(text) || text[m.Offset:m.Offset+len(m.Raw)] != m.Raw {
				t.Fatalf("match %+v: Raw not at Offset", m)
			}
			if utf8.ValidString(text) && !utf8.ValidString(m.Value) {
				t.Fatalf("match %+v: invalid UTF-8", m)
			}
			k := string(m.Type) + " " + m.Value
			if seen[k] {
				t.Fatalf("duplicate %s", k)
			}
			seen[k] = true
			if c := Classify(m.Value); c.Type != m.Type || (c.Check != m.Check && !m.Type.IsHash()) {
				t.Fatalf("match %+v classifies as %+v (text %q)", m, c, text)
			}
			if m.Offset < last {
				t.Fatalf("match %+v before the previous one (offset %d): not in order of appearance", m, last)
			}
			last = m.Offset
		}
	})
}
