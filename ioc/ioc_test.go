package ioc

import (
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"strings"
	"testing"
)

func TestClassifyBasics(t *testing.T) {
	tests := []struct {
		in     string
		typ    Type
		value  string
		check  Check
		reason string
		port   int
	}{
		{"8.8.8.8", IPv4, "8.8.8.8", Ok, "", 0},
		{"8.8.8[.]8", IPv4, "8.8.8.8", Ok, "", 0},
		{"10.0.0.1", IPv4, "10.0.0.1", NotRoutable, "private", 0},
		{"100.64.1.1", IPv4, "100.64.1.1", NotRoutable, "shared/CGNAT", 0},
		{"8.8.8.8:53", IPv4, "8.8.8.8", Ok, "", 53},
		{"999.1.1.1", IPv4, "", Invalid, "IP address is invalid format", 0},
		{"2001:DB8::1", IPv6, "2001:db8::1", NotRoutable, "documentation", 0},
		{"09:14:02", Unknown, "09:14:02", Unsupported, "type not recognised", 0},
		{"EVIL[.]com", DNS, "evil.com", Ok, "", 0},
		{"bücher.de", DNS, "xn--bcher-kva.de", Ok, "", 0},
		{"xn--bcher-kva.de", DNS, "xn--bcher-kva.de", Ok, "", 0},
		{"invoice.pdf", Unknown, "invoice.pdf", Unsupported, "type not recognised", 0},
		{"update.sh", Unknown, "update.sh", Unsupported, "type not recognised", 0},
		{"hxxps://evil[.]com/a.", URL, "https://evil.com/a", Ok, "", 0},
		{"http://127.0.0.1:8080/", URL, "http://127.0.0.1:8080/", NotRoutable, "loopback", 0},
		{"D41D8CD98F00B204E9800998ECF8427E", MD5, "d41d8cd98f00b204e9800998ecf8427e", Ok, "", 0},
		{"00000000000000000000000000000000", MD5, "", Invalid, "String has too low an entropy to be a hash", 0},
		{"user[at]Evil[.]com", Email, "user@evil.com", Ok, "", 0},
		{"10.0.0.0/8", CIDR, "10.0.0.0/8", NotRoutable, "private", 0},
		{"8.8.8.0/24", CIDR, "8.8.8.0/24", Ok, "", 0},
	}
	for _, tt := range tests {
		o := Classify(tt.in)
		if o.Type != tt.typ || o.Value != tt.value || o.Check != tt.check || o.Reason != tt.reason || o.Port != tt.port {
			t.Errorf("Classify(%q) = %+v, want type %s value %q check %s reason %q port %d", tt.in, o, tt.typ, tt.value, tt.check, tt.reason, tt.port)
		}
	}
}

func TestRefang(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hxxp://evil[.]com", "http://evil.com"},
		{"hxxps://evil[.]com", "https://evil.com"},
		{"HXXPS://EVIL[.]COM", "https://EVIL.COM"},
		{"hXXps://a(.)b[dot]c{.}d(DOT)e", "https://a.b.c.d.e"},
		{"fxp://files[.]example[.]com", "ftp://files.example.com"},
		{"FXPS://x[.]y", "ftps://x.y"},
		{"hxxp[:]//evil[.]com", "http://evil.com"},
		{"hxxp[://]evil[.]com", "http://evil.com"},
		{"hxxps(://)evil[.]com", "https://evil.com"},
		{"user[at]evil[.]com", "user@evil.com"},
		{"user(AT)evil[.]com", "user@evil.com"},
		{"user[@]evil.com", "user@evil.com"},
		{"1.2.3[.]4[:]80", "1.2.3.4:80"},
		{"hxxp is not a scheme without ://", "hxxp is not a scheme without ://"},
		{"myhxxp://x", "myhxxp://x"}, // only a whole word is a scheme
		{"[x] (y) {z}", "[x] (y) {z}"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Refang(tt.in); got != tt.want {
			t.Errorf("Refang(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseType(t *testing.T) {
	tests := map[string]Type{
		"ipv4": IPv4, "IPv4": IPv4, "ip": IP, "IP Address": IP, "ipv6": IPv6, "domain": DNS, "DNS": DNS,
		"fqdn": DNS, "hostname": Hostname, "host": Hostname, "url": URL, "URI": URL, "md5": MD5,
		"md5_hash": MD5, "sha1": SHA1, "sha256_hash": SHA256, "hash": FileHash, "file_hash": FileHash,
		"email": Email, "e-mail": Email, "windows_path": WindowsPath, "linux-path": LinuxPath,
		"cidr": CIDR, "subnet": CIDR, "unknown": Unknown, "": Unknown,
	}
	for in, want := range tests {
		got, err := ParseType(in)
		if err != nil || got != want {
			t.Errorf("ParseType(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"ipv5", "registry_key", "sha512"} {
		_, err := ParseType(bad)
		if !errors.Is(err, ErrUnsupportedType) || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), "sha256_hash") {
			t.Errorf("ParseType(%q) error = %v", bad, err)
		}
	}
	for _, typ := range Types() {
		if got, err := ParseType(string(typ)); err != nil || got != typ {
			t.Errorf("ParseType(%q) = %s, %v: every type name must parse to itself", typ, got, err)
		}
	}
}

func TestNonRoutable(t *testing.T) {
	tests := []struct{ ip, want string }{
		// IPv4
		{"8.8.8.8", ""}, {"1.1.1.1", ""}, {"172.32.0.1", ""}, {"100.128.0.1", ""},
		{"0.0.0.0", ReasonUnspecified}, {"0.1.2.3", ReasonReserved},
		{"10.1.2.3", ReasonPrivate}, {"172.16.0.1", ReasonPrivate}, {"172.31.255.255", ReasonPrivate}, {"192.168.1.1", ReasonPrivate},
		{"100.64.0.1", ReasonShared}, {"100.127.255.254", ReasonShared},
		{"127.0.0.1", ReasonLoopback}, {"127.255.0.9", ReasonLoopback},
		{"169.254.169.254", ReasonLinkLocal},
		{"192.0.0.8", ReasonReserved}, {"192.0.0.100", ReasonReserved}, {"192.0.0.9", ""}, {"192.0.0.10", ""}, {"192.0.0.170", ReasonReserved},
		{"192.0.2.1", ReasonDocumentation}, {"198.51.100.7", ReasonDocumentation}, {"203.0.113.9", ReasonDocumentation},
		{"198.18.0.1", ReasonBenchmarking}, {"198.19.255.1", ReasonBenchmarking},
		{"224.0.0.1", ReasonMulticast}, {"239.255.255.250", ReasonMulticast},
		{"240.0.0.1", ReasonReserved}, {"255.255.255.255", ReasonBroadcast},
		// IPv6
		{"2001:4860:4860::8888", ""}, {"2a05:d014:8a0:4b00::17", ""},
		{"::", ReasonUnspecified}, {"::1", ReasonLoopback},
		{"::ffff:10.0.0.1", ReasonPrivate}, {"::ffff:8.8.8.8", ""},
		{"64:ff9b::8.8.8.8", ""}, {"64:ff9b::192.168.0.1", ReasonPrivate}, {"64:ff9b:1::1", ReasonPrivate},
		{"100::1", ReasonReserved},
		{"2001::1", ReasonReserved}, {"2001:1::1", ""}, {"2001:1::2", ""}, {"2001:1::4", ReasonReserved},
		{"2001:2::1", ReasonBenchmarking}, {"2001:3::1", ""}, {"2001:4:112::1", ""}, {"2001:20::1", ""}, {"2001:30::1", ""},
		{"2001:db8::1", ReasonDocumentation}, {"3fff::1", ReasonDocumentation},
		{"2002::1", ReasonReserved}, {"2002:c000:0204::1", ReasonReserved}, {"5f00::1", ReasonReserved},
		{"fc00::1", ReasonUniqueLocal}, {"fd12:3456::1", ReasonUniqueLocal},
		{"fe80::1", ReasonLinkLocal}, {"fe80::1%eth0", ReasonLinkLocal},
		{"ff02::1", ReasonMulticast}, {"ff05::2", ReasonMulticast},
		{"1:2:3:4:5:6:7:8", ReasonReserved}, {"4000::1", ReasonReserved}, {"fec0::1", ReasonReserved},
	}
	for _, tt := range tests {
		a := netip.MustParseAddr(tt.ip)
		if got := NonRoutableReason(a); got != tt.want {
			t.Errorf("NonRoutableReason(%s) = %q, want %q", tt.ip, got, tt.want)
		}
	}
}

func TestAddressWithPort(t *testing.T) {
	tests := []struct {
		in    string
		typ   Type
		value string
		port  int
		check Check
	}{
		{"8.8.8.8:53", IPv4, "8.8.8.8", 53, Ok},
		{"8.8.8[.]8[:]53", IPv4, "8.8.8.8", 53, Ok},
		{"[2001:4860:4860::8888]:443", IPv6, "2001:4860:4860::8888", 443, Ok},
		{"[2001:db8::1]", IPv6, "2001:db8::1", 0, NotRoutable},
		{"www.example.com:8080", DNS, "www.example.com", 8080, Ok},
		{"8.8.8.8:0", Unknown, "8.8.8.8:0", 0, Unsupported},
		{"8.8.8.8:65536", Unknown, "8.8.8.8:65536", 0, Unsupported},
		{"2001:4860:4860::8888", IPv6, "2001:4860:4860::8888", 0, Ok}, // no brackets: all groups are address
	}
	for _, tt := range tests {
		o := Classify(tt.in)
		if o.Type != tt.typ || o.Value != tt.value || o.Port != tt.port || o.Check != tt.check {
			t.Errorf("Classify(%q) = %+v, want %s %q port %d %s", tt.in, o, tt.typ, tt.value, tt.port, tt.check)
		}
	}
	// explicit types take the same rule; a bad port is then Invalid
	if o := Preprocess("8.8.8.8:53", IPv4); o.Value != "8.8.8.8" || o.Port != 53 || o.Check != Ok {
		t.Errorf("Preprocess ipv4 with port: %+v", o)
	}
	if o := Preprocess("8.8.8.8:99999", IPv4); o.Check != Invalid || o.Value != "" {
		t.Errorf("Preprocess ipv4 with bad port: %+v", o)
	}
	if o := Preprocess("8.8.8.8:53", URL); o.Check != Invalid {
		t.Errorf("an address with a port must never become a URL: %+v", o)
	}
}

func TestIDNOneKey(t *testing.T) {
	forms := []string{"bücher.de", "BÜCHER.DE", "xn--bcher-kva.de", "XN--BCHER-KVA.DE", "bücher[.]de", "bücher.de."}
	for _, f := range forms {
		o := Classify(f)
		if o.Type != DNS || o.Value != "xn--bcher-kva.de" || o.Check != Ok {
			t.Errorf("Classify(%q) = %+v, want dns xn--bcher-kva.de", f, o)
		}
	}
	if a, b := Classify("https://bücher.de/x").Value, Classify("https://xn--bcher-kva.de/x").Value; a != b {
		t.Errorf("URL IDN keys differ: %q vs %q", a, b)
	}
	if o := Classify("xn--zz-invalid-punycode-.com"); o.Check == Ok {
		t.Errorf("broken punycode accepted: %+v", o)
	}
}

func TestHashKeys(t *testing.T) {
	v := []string{"d41d8cd98f00b204e9800998ecf8427e", "D41D8CD98F00B204E9800998ECF8427E", "d41D8cd98F00b204E9800998ecf8427E"}
	for _, s := range v {
		if o := Classify(s); o.Value != v[0] || o.Type != MD5 {
			t.Errorf("Classify(%q) = %+v", s, o)
		}
	}
	if o := Preprocess("D41D8CD98F00B204E9800998ECF8427E", FileHash); o.Type != FileHash || o.Value != v[0] {
		t.Errorf("file_hash: %+v", o)
	}
	if o := Preprocess("d41d8cd98f00b204e9800998ecf8427e", SHA1); o.Check != Invalid {
		t.Errorf("an md5 is not a sha1: %+v", o)
	}
	if o := Preprocess("zz-not-a-hash", FileHash); o.Check != Invalid || !strings.Contains(o.Reason, "file_hash") {
		t.Errorf("zz-not-a-hash: %+v", o)
	}
}

func TestExplicitTypeWins(t *testing.T) {
	tests := []struct {
		in     string
		typ    Type
		check  Check
		value  string
		reason string
	}{
		{"update.sh", DNS, Ok, "update.sh", ""},
		{"foo.zip", DNS, Ok, "foo.zip", ""},
		{"8.8.8.8", DNS, Invalid, "", reasonDomainIsIP},
		{"localhost", DNS, Invalid, "", reasonUnqualified},
		{"server01.corp", Hostname, Invalid, "", reasonNotPublic},
		{"evil.com", IPv4, Invalid, "", "does not match expected pattern for ipv4"},
		{"2001:db8::1", IPv4, Invalid, "", "Not an IPv4 address"},
		{"8.8.8.8", IPv6, Invalid, "", "Not an IPv6 address"},
		{"8.8.8.8", IP, Ok, "8.8.8.8", ""},
		{"2001:4860:4860::8888", IP, Ok, "2001:4860:4860::8888", ""},
		{"not an ip address", IPv4, Invalid, "", "does not match expected pattern for ipv4"},
		{"185[.]92[.]220[.]35", IPv4, Ok, "185.92.220.35", ""},
		{"2345:0425:2CA1:0000:0000:0567:5673:23b5", IPv6, Ok, "2345:425:2ca1::567:5673:23b5", ""},
		{"www[.]python[.]com", DNS, Ok, "www.python.com", ""},
		{"AAAAAAAAAAAAAAAA", MD5, Invalid, "", "does not match expected pattern for md5_hash"},
		{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", MD5, Invalid, "", "String has too low an entropy to be a hash"},
		{"hXXps://www[.]python[.]com", URL, Ok, "https://www.python.com", ""},
		{"file://server.example.com/share/x.txt", URL, Invalid, "", "file URL scheme is not supported"},
		{"C:/odd/path", WindowsPath, Ok, "C:/odd/path", ""},
		{"/a[.]b/c", LinuxPath, Ok, "/a[.]b/c", ""}, // paths are not refanged
		{"8.8.8.8", Type("registry_key"), Unsupported, "8.8.8.8", `unsupported type "registry_key"`},
	}
	for _, tt := range tests {
		o := Preprocess(tt.in, tt.typ)
		wantType := tt.typ
		if tt.typ == IP {
			wantType = Detect(tt.in)
		}
		if o.Type != wantType || o.Check != tt.check || o.Value != tt.value || o.Reason != tt.reason {
			t.Errorf("Preprocess(%q, %s) = %+v, want %s %q %q", tt.in, tt.typ, o, tt.check, tt.value, tt.reason)
		}
	}
}

func TestDetectShapes(t *testing.T) {
	tests := map[string]Type{
		"09:14:02": Unknown, "12:30": Unknown, "00:1a:2b:3c:4d:5e": Unknown, "1:2:3:4:5:6:7:8:9": Unknown,
		"invoice.pdf": Unknown, "report.docx": Unknown, "update.sh": Unknown, "script.py": Unknown, "notes.one": Unknown,
		"evil.sh.example.com": DNS, "files.example.sh": DNS, "example.co.uk": DNS, "foo.blogspot.com": DNS,
		"server01.corp": Unknown, "a.b.ck": DNS, "_dmarc.example.com": Unknown,
		"http://x.com": URL, "s3://bucket/key": Unknown, "https://example.com/a b": Unknown,
		"/usr/bin/bash": LinuxPath, "/usr": Unknown, "~/x": LinuxPath, "../x/y": LinuxPath,
		"C:\\Windows\\x.exe": WindowsPath, ".\\run.bat": WindowsPath, "\\\\srv\\share": WindowsPath, "\\x": Unknown,
		"10.0.0.0/8": CIDR, "2001:db8::/32": CIDR, "1.2.3": Unknown, "1.2.3.4.5": Unknown,
		"user@example.com": Email, "user@localhost": Unknown, "999.1.1.1": IPv4, "001.002.003.004": IPv4,
		" 8.8.8.8\t": IPv4, "": Unknown, "   ": Unknown,
	}
	for in, want := range tests {
		if got := Detect(in); got != want {
			t.Errorf("Detect(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestURLCleaning(t *testing.T) {
	tests := []struct {
		in    string
		value string
		check Check
	}{
		{"https://wiki.example.org/ir/IR-1#timeline.", "https://wiki.example.org/ir/IR-1#timeline", Ok},
		{"http://evil.com/a.ps1')", "http://evil.com/a.ps1", Ok},
		{"https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_(bar)", Ok},
		{"(see https://evil.com/x)", "", Invalid}, // not a URL as a whole
		{"HTTPS://EVIL.COM:443/Path?Q=1", "https://evil.com:443/Path?Q=1", Ok},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080/", NotRoutable},
		{"http://[::1]/x", "http://[::1]/x", NotRoutable},
		{"http://10.0.0.5/a", "http://10.0.0.5/a", NotRoutable},
		{"http://999.1.1.1/", "", Invalid},
		{"http://localhost/x", "", Invalid},
		{"http://example.com:99999/", "", Invalid},
		{"https://", "", Invalid},
	}
	for _, tt := range tests {
		o := Preprocess(tt.in, URL)
		if o.Value != tt.value || o.Check != tt.check {
			t.Errorf("Preprocess(%q, url) = %+v, want %q %s", tt.in, o, tt.value, tt.check)
		}
	}
	if o := Classify("http://127.0.0.1/"); o.Reason != ReasonLoopback {
		t.Errorf("127.0.0.1 in a URL: %+v", o)
	}
}

func TestExtractBehaviour(t *testing.T) {
	text := "a 8.8.8[.]8, b 8.8.8.8 c HXXPS://Evil[.]com/x. d 10.0.0.1 e 09:14:02 f invoice.pdf update.sh g " +
		"D41D8CD98F00B204E9800998ECF8427E.exe h d41d8cd98f00b204e9800998ecf8427e i 45.146.164[.]110:8443 " +
		"j 10.1.2.3/16 k [2001:db8::1]:443 l bücher.de m xn--bcher-kva.de n std::vector abc::def o 2a05:d014::/32 " +
		"p 1.2.3.4/24/x 10.0.0.0/8.5"
	got := Extract(text)
	var keys []string
	for _, m := range got {
		keys = append(keys, string(m.Type)+" "+m.Value+" "+m.Check.String())
		if text[m.Offset:m.Offset+len(m.Raw)] != m.Raw {
			t.Errorf("Raw %q not at offset %d", m.Raw, m.Offset)
		}
	}
	want := []string{
		"ipv4 8.8.8.8 ok",
		"url https://evil.com/x ok",
		"dns evil.com ok",
		"ipv4 10.0.0.1 not routable",
		"md5_hash d41d8cd98f00b204e9800998ecf8427e ok",
		"ipv4 45.146.164.110 ok",
		"cidr 10.1.0.0/16 not routable",
		"ipv6 2001:db8::1 not routable",
		"dns xn--bcher-kva.de ok",
		"cidr 2a05:d014::/32 ok",
		"ipv4 1.2.3.4 ok",
		"ipv4 10.0.0.0 not routable",
	}
	if strings.Join(keys, "\n") != strings.Join(want, "\n") {
		t.Errorf("Extract:\n%s\nwant\n%s", strings.Join(keys, "\n"), strings.Join(want, "\n"))
	}
	if got[0].Raw != "8.8.8[.]8" || got[0].Offset != 2 || got[0].Line != 1 {
		t.Errorf("first match keeps the first occurrence as written: %+v", got[0])
	}
	// options
	if ms := Extract(text, WithTypes(IP)); len(ms) != 6 {
		t.Errorf("WithTypes(ip): %v", ms)
	}
	if ms := Extract(text, WithTypes(FileHash)); len(ms) != 1 || ms[0].Type != MD5 {
		t.Errorf("WithTypes(file_hash): %v", ms)
	}
	if ms := Extract(text, WithTypes(IPv4), KeepDuplicates()); len(ms) != 6 {
		t.Errorf("KeepDuplicates: %d matches %v", len(ms), ms)
	}
	if ms := Extract("x\ny\n\nhttp://evil.com/"); len(ms) != 2 || ms[0].Line != 4 || ms[1].Line != 4 {
		t.Errorf("lines: %+v", ms)
	}
	if ms := Extract(""); len(ms) != 0 {
		t.Errorf("empty text: %v", ms)
	}
}

func TestExtractJSONEscapes(t *testing.T) {
	text := `{"Image":"C:\\Program Files\\App\\x.exe","P":"\t/usr/bin/curl","Cmd":"rundll32 C:\\Users\\a\\lsass.dmp full\"","Msg":"Source:\t8.8.4.4\r\nDest:\t\t10.0.0.9","Obj":"\\Device\\HarddiskVolume2\\Windows\\lsass.exe\r\n","UNC":"\\\\srv\\share\\f.txt"}`
	var got []string
	for _, m := range Extract(text) {
		got = append(got, string(m.Type)+" "+m.Value)
		if text[m.Offset:m.Offset+len(m.Raw)] != m.Raw {
			t.Errorf("raw %q not at %d", m.Raw, m.Offset)
		}
	}
	want := []string{
		`windows_path C:\Program Files\App\x.exe`,
		`linux_path /usr/bin/curl`,
		`windows_path C:\Users\a\lsass.dmp`,
		`ipv4 8.8.4.4`,
		`ipv4 10.0.0.9`,
		`windows_path \Device\HarddiskVolume2\Windows\lsass.exe`,
		`windows_path \\srv\share\f.txt`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// plain text keeps single backslashes and real UNC paths
	ms := Extract(`open \\fileserver\share\payroll.xlsx and C:\Temp\a b.txt`)
	if len(ms) != 2 || ms[0].Value != `\\fileserver\share\payroll.xlsx` || ms[1].Value != `C:\Temp\a` {
		t.Errorf("plain paths: %+v", ms)
	}
}

// pathological are inputs built to make a careless scanner quadratic,
// each n units long.
func pathological(n int) []string {
	return []string{
		"http://evil.com/" + strings.Repeat(")", 2*n),
		strings.Repeat("1:", n),
		strings.Repeat("a.", n),
		strings.Repeat("a[.]", n/2),
		strings.Repeat("C:\\a ", n/2),
		strings.Repeat("\\\\a", n/2),
		strings.Repeat(" \\a\\", n/2),
		strings.Repeat("\\tx", n/2),
		strings.Repeat("x@", n),
		strings.Repeat("/a", n),
		strings.Repeat("hxxp://", n/4),
		strings.Repeat("0", 2*n),
	}
}

// TestExtractPathological: on inputs built to be slow, the results keep
// their invariants (every match is the text at its offset, in order, and
// there are fewer matches than bytes; TrimURL only cuts the end;
// Classify's value is no longer than its input), and the memory Extract
// allocates grows linearly: four times the input, at most five times the
// bytes (a quadratic scan that builds candidates would show sixteen).
func TestExtractPathological(t *testing.T) {
	small, large := pathological(1<<14), pathological(1<<16)
	allocated := func(in string) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		Extract(in)
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	for i, in := range large {
		name := strings.ReplaceAll(fmt.Sprintf("%.12q", in), " ", "_")
		t.Run(name, func(t *testing.T) {
			ms := Extract(in)
			if len(ms) > len(in)/2 {
				t.Errorf("%d matches in %d bytes", len(ms), len(in))
			}
			prev := -1
			for _, m := range ms {
				if m.Offset <= prev || m.Offset+len(m.Raw) > len(in) || in[m.Offset:m.Offset+len(m.Raw)] != m.Raw {
					t.Fatalf("match %+v is not the text at its offset (after offset %d)", m, prev)
				}
				prev = m.Offset
			}
			if tr := TrimURL(in); !strings.HasPrefix(in, tr) {
				t.Errorf("TrimURL changed more than the end")
			}
			if o := Classify(in); o.Input != in || len(o.Value) > len(in) {
				t.Errorf("Classify: input kept %v, value %d bytes for %d", o.Input == in, len(o.Value), len(in))
			}
			a, b := allocated(small[i]), allocated(in)
			if b > 5*max(a, 1<<12) {
				t.Errorf("Extract allocated %d bytes for %d input bytes and %d for %d: not linear", a, len(small[i]), b, len(in))
			}
		})
	}
}

// BenchmarkExtractPathological measures Extract, Classify and TrimURL on
// the 1 MB pathological inputs (a quadratic path would show as minutes).
func BenchmarkExtractPathological(b *testing.B) {
	inputs := pathological(1 << 19)
	b.ReportAllocs()
	for b.Loop() {
		for _, in := range inputs {
			Extract(in)
			Classify(in)
			TrimURL(in)
		}
	}
}

func TestCheckText(t *testing.T) {
	for _, c := range []Check{Ok, Invalid, NotRoutable, Unsupported} {
		b, err := c.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Check
		if err := back.UnmarshalText(b); err != nil || back != c {
			t.Errorf("round trip of %s: %v %v", c, back, err)
		}
	}
	var c Check
	if err := c.UnmarshalText([]byte("maybe")); err == nil {
		t.Error("unknown check name accepted")
	}
	o := Classify("10.0.0.1")
	if o.Status() != "not routable: private" || Classify("8.8.8.8").Status() != "ok" || Classify("999.1.1.1").Status() != "IP address is invalid format" {
		t.Errorf("Status texts: %q", o.Status())
	}
}

func TestExtractEscapedRepeats(t *testing.T) {
	// the second occurrence must behave like the first (token caches)
	text := `"a":"\tevil.com","b":"\tevil.com","c":"\t8.8.8.8","d":"\t8.8.8.8"`
	ms := Extract(text, KeepDuplicates())
	if len(ms) != 4 || ms[0].Value != "evil.com" || ms[1].Value != "evil.com" || ms[3].Value != "8.8.8.8" {
		t.Errorf("%+v", ms)
	}
}

// TestEveryDefangForm: each refang form of issue 4 (ignoring case) is
// undone by Classify and recognised by Extract, and the "s" of https is
// kept.
func TestEveryDefangForm(t *testing.T) {
	tests := []struct {
		in    string
		typ   Type
		value string
	}{
		{"hxxp://evil[.]com/a", URL, "http://evil.com/a"},
		{"HXXP://evil[.]com/a", URL, "http://evil.com/a"},
		{"hxxps://evil[.]com/a", URL, "https://evil.com/a"},
		{"hXxPs://evil[.]com/a", URL, "https://evil.com/a"},
		{"fxp://files[.]evil[.]com/a", URL, "ftp://files.evil.com/a"},
		{"FXP://files[.]evil[.]com/a", URL, "ftp://files.evil.com/a"},
		{"evil[.]com", DNS, "evil.com"},
		{"evil(.)com", DNS, "evil.com"},
		{"evil[dot]com", DNS, "evil.com"},
		{"evil[DOT]com", DNS, "evil.com"},
		{"evil(Dot)com", DNS, "evil.com"},
		{"45.146.164[.]110", IPv4, "45.146.164.110"},
		{"45[.]146[.]164[.]110[:]8443", IPv4, "45.146.164.110"},
		{"hxxps[://]evil[.]com/a", URL, "https://evil.com/a"},
		{"HXXPS[://]evil[.]com/a", URL, "https://evil.com/a"},
		{"hxxp[:]//evil[.]com/a", URL, "http://evil.com/a"},
		{"user[at]evil[dot]com", Email, "user@evil.com"},
	}
	for _, tt := range tests {
		if o := Classify(tt.in); o.Type != tt.typ || o.Value != tt.value || o.Check != Ok {
			t.Errorf("Classify(%q) = %+v, want %s %q", tt.in, o, tt.typ, tt.value)
		}
		ms := Extract("seen at " + tt.in + " yesterday")
		found := false
		for _, m := range ms {
			if m.Type == tt.typ && m.Value == tt.value {
				found = true
				// Raw is the text as written (an address without its port).
				if !strings.HasPrefix(tt.in, m.Raw) || len(m.Raw) < len(tt.in)-len("[:]8443") {
					t.Errorf("Extract(%q): Raw %q", tt.in, m.Raw)
				}
			}
		}
		if !found {
			t.Errorf("Extract(%q) = %+v, want %s %q", tt.in, ms, tt.typ, tt.value)
		}
	}
}

// TestEmailDomainShapeOnly: an e-mail domain is checked for its shape, not
// against the public-suffix list (docs/observables.md), so a directory's
// own domain (corp.local) is an address; the domain alone is still not dns.
func TestEmailDomainShapeOnly(t *testing.T) {
	tests := []struct {
		in     string
		typ    Type
		value  string
		check  Check
		reason string
	}{
		{"a@corp.local", Email, "a@corp.local", Ok, ""},
		{"A@Corp.Example", Email, "a@corp.example", Ok, ""},
		{"bob@hr.corp.internal", Email, "bob@hr.corp.internal", Ok, ""},
		{"bob@example.com", Email, "bob@example.com", Ok, ""},
		{"user@localhost", Unknown, "user@localhost", Unsupported, "type not recognised"},
		{"user@host.x", Unknown, "user@host.x", Unsupported, "type not recognised"},
		{"user@host.123", Unknown, "user@host.123", Unsupported, "type not recognised"},
	}
	for _, tt := range tests {
		o := Classify(tt.in)
		if o.Type != tt.typ || o.Value != tt.value || o.Check != tt.check || o.Reason != tt.reason {
			t.Errorf("Classify(%q) = %+v, want %s %q %s %q", tt.in, o, tt.typ, tt.value, tt.check, tt.reason)
		}
	}
	typed := []struct{ in, value, reason string }{
		{"a@corp.local", "a@corp.local", ""},
		{"user@host.x", "", "e-mail domain: top-level domain is not two or more letters"},
		{"user@localhost", "", "e-mail domain: Domain is unqualified domain name"},
	}
	for _, tt := range typed {
		o := Preprocess(tt.in, Email)
		if o.Value != tt.value || o.Reason != tt.reason {
			t.Errorf("Preprocess(%q, email) = %+v, want %q %q", tt.in, o, tt.value, tt.reason)
		}
	}
	if o := Preprocess("corp.local", DNS); o.Check == Ok {
		t.Errorf("corp.local as dns: %+v, want refused", o)
	}
	got := Extract("mail a@corp.local now")
	var types []string
	for _, m := range got {
		types = append(types, string(m.Type)+" "+m.Value)
	}
	if strings.Join(types, ",") != "email a@corp.local" {
		t.Errorf("Extract: %v", types)
	}
}
