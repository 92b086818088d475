package ioc

import "testing"

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
