package ioc

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// Classify infers the type of s (Detect) and pre-processes it as that type.
// A value with no recognisable type has Type Unknown and Check Unsupported.
func Classify(s string) Observable { return Preprocess(s, Unknown) }

// Preprocess cleans, normalises and checks s as type t. An explicit type
// always wins: the value is judged as t, never re-typed (Preprocess("8.8.8.8",
// DNS) is Invalid "Domain is an IP address"). t == Unknown or "" means
// "infer" (Classify); t == IP resolves to IPv4 or IPv6 from the value.
// Surrounding white space is trimmed and defanged forms refanged (paths
// excepted, which are kept as written).
func Preprocess(s string, t Type) Observable {
	o := Observable{Input: s, Type: t}
	v := trimSpace(s)
	if t == "" {
		t = Unknown
		o.Type = Unknown
	}
	if v == "" {
		if t == IP {
			o.Type = IPv4
		}
		o.Check, o.Reason = Invalid, "empty value"
		if t == Unknown {
			o.Check, o.Reason = Unsupported, "empty value"
		}
		return o
	}
	asWritten := v
	if t != WindowsPath && t != LinuxPath && needsRefang(v) {
		v = Refang(v)
	}
	if t == Unknown {
		t = detect(v)
		o.Type = t
		if t == WindowsPath || t == LinuxPath {
			v = asWritten // paths are kept as written
		}
	}
	switch t {
	case IP:
		a, _, r := parseAnyIP(v)
		if r != "" {
			// the family alias never leaks: judge by the most likely version
			o.Type = IPv4
			if strings.IndexByte(v, ':') >= 0 && !isIPv4Shape(v[:max(strings.IndexByte(v, ':'), 0)]) {
				o.Type = IPv6
			}
			return o.invalid(r)
		}
		if a.Is4() {
			o.Type = IPv4
		} else {
			o.Type = IPv6
		}
		return ipObservable(o, v)
	case IPv4, IPv6:
		return ipObservable(o, v)
	case CIDR:
		p, err := netip.ParsePrefix(v)
		if err != nil || p.Addr().Zone() != "" {
			return o.invalid("does not match expected pattern for cidr")
		}
		p = p.Masked()
		o.Value = p.String()
		if r := prefixReason(p); r != "" {
			o.Check, o.Reason = NotRoutable, r
		}
		return o
	case DNS, Hostname:
		host := v
		if h, p, ok := splitHostPort(v); ok {
			host, o.Port = h, p
		}
		host = strings.TrimSuffix(host, ".")
		if _, ok := parseIPv4(host); ok {
			return o.invalid(reasonDomainIsIP)
		}
		if _, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
			return o.invalid(reasonDomainIsIP)
		}
		d, r := normDomain(host, false)
		if r != "" {
			return o.invalid(r)
		}
		o.Value = d
		return o
	case URL:
		return urlObservable(o, v)
	case MD5, SHA1, SHA256, FileHash:
		return hashObservable(o, v)
	case Email:
		e, r := splitEmail(v)
		if r != "" {
			return o.invalid(r)
		}
		o.Value = e
		return o
	case WindowsPath, LinuxPath:
		o.Value = v
		return o
	case Unknown:
		o.Value = v
		o.Check, o.Reason = Unsupported, "type not recognised"
		return o
	}
	o.Value = v
	o.Check, o.Reason = Unsupported, "unsupported type "+strconv.Quote(string(t))
	return o
}

// HashType returns the concrete hash type of a hex value by its length
// (md5_hash, sha1_hash, sha256_hash), or Unknown. It is how MSTICPy maps
// file_hash to a hash kind.
func HashType(value string) Type {
	switch len(value) {
	case 32:
		return MD5
	case 40:
		return SHA1
	case 64:
		return SHA256
	}
	return Unknown
}

func (o Observable) invalid(reason string) Observable {
	o.Value, o.Port = "", 0
	o.Check, o.Reason = Invalid, reason
	return o
}

// parseAnyIP reads an IPv4 or IPv6 address, optionally with a port
// ("1.2.3.4:80", "[v6]:443") or an IPv6 zone (dropped).
func parseAnyIP(v string) (netip.Addr, int, string) {
	if v[0] == '[' {
		return splitBracketV6(v)
	}
	if isIPv4Shape(v) {
		a, ok := parseIPv4(v)
		if !ok {
			return a, 0, "IP address is invalid format"
		}
		return a, 0, ""
	}
	if h, p, ok := splitHostPort(v); ok && isIPv4Shape(h) {
		a, ok := parseIPv4(h)
		if !ok {
			return a, 0, "IP address is invalid format"
		}
		return a, p, ""
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		if strings.IndexByte(v, ':') >= 0 && strings.Trim(v, "0123456789abcdefABCDEF:.%") == "" {
			return a, 0, "IP address is invalid format"
		}
		return a, 0, "does not match expected pattern for an IP address"
	}
	return a.WithZone(""), 0, ""
}

func ipObservable(o Observable, v string) Observable {
	a, port, r := parseAnyIP(v)
	if r != "" {
		if strings.HasPrefix(r, "does not match") {
			r = "does not match expected pattern for " + string(o.Type)
		}
		return o.invalid(r)
	}
	if o.Type == IPv4 && !a.Is4() {
		return o.invalid("Not an IPv4 address")
	}
	if o.Type == IPv6 && !a.Is6() {
		return o.invalid("Not an IPv6 address")
	}
	o.Value, o.Port = a.String(), port
	if r := NonRoutableReason(a); r != "" {
		o.Check, o.Reason = NotRoutable, r
	}
	return o
}

func hashObservable(o Observable, v string) Observable {
	want := 0
	switch o.Type {
	case MD5:
		want = 32
	case SHA1:
		want = 40
	case SHA256:
		want = 64
	}
	n := len(v)
	if (want != 0 && n != want) || (want == 0 && n != 32 && n != 40 && n != 64) {
		return o.invalid("does not match expected pattern for " + string(o.Type))
	}
	for i := 0; i < n; i++ {
		if !isHex(v[i]) {
			return o.invalid("does not match expected pattern for " + string(o.Type))
		}
	}
	v = lowerASCII(v)
	if entropy(v) < 3.0 {
		return o.invalid("String has too low an entropy to be a hash")
	}
	o.Value = v
	return o
}

// cLog2C[c] = c·log2(c), for the counts of a hash-sized string.
var cLog2C [65]float64

func init() {
	for c := 1; c < len(cLog2C); c++ {
		cLog2C[c] = float64(c) * math.Log2(float64(c))
	}
}

// entropy is the Shannon entropy (bits per character) of s:
// log2(n) − Σ c·log2(c) / n over the character counts c.
func entropy(s string) float64 {
	if len(s) == 0 {
		return 0
	}
	var counts [256]uint32
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	sum := 0.0
	for _, c := range counts {
		switch {
		case c == 0:
		case int(c) < len(cLog2C):
			sum += cLog2C[c]
		default:
			sum += float64(c) * math.Log2(float64(c))
		}
	}
	n := float64(len(s))
	return math.Log2(n) - sum/n
}
