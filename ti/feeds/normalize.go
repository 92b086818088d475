package feeds

import (
	"net/netip"
	"strings"

	"github.com/msticgo/msticgo/ioc"
	"golang.org/x/net/idna"
)

// Class is the kind of key an indicator is indexed under. Several lookup
// types share one class (ipv4 and ipv6 → ClassIP; md5/sha1/sha256 → ClassHash).
type Class uint8

// Indicator classes.
const (
	ClassNone Class = iota
	ClassIP
	ClassDomain
	ClassURL
	ClassHash
	ClassEmail
)

// knownTypes short-cuts typeClass for the canonical type names.
var knownTypes = map[string]Class{
	"ipv4": ClassIP, "ipv6": ClassIP, "ip": ClassIP, "cidr": ClassIP,
	"dns": ClassDomain, "hostname": ClassDomain,
	"url":      ClassURL,
	"md5_hash": ClassHash, "sha1_hash": ClassHash, "sha256_hash": ClassHash, "file_hash": ClassHash,
	"email": ClassEmail,
}

// typeClass maps lookup/ioc type names (and their aliases) to a class.
func typeClass(t string) Class {
	if c, ok := knownTypes[t]; ok {
		return c
	}
	it, err := ioc.ParseType(t)
	if err != nil {
		return ClassNone
	}
	switch it {
	case ioc.IPv4, ioc.IPv6, ioc.IP, ioc.CIDR:
		return ClassIP
	case ioc.DNS, ioc.Hostname:
		return ClassDomain
	case ioc.URL:
		return ClassURL
	case ioc.MD5, ioc.SHA1, ioc.SHA256, ioc.FileHash:
		return ClassHash
	case ioc.Email:
		return ClassEmail
	}
	return ClassNone
}

// supportedTypes are the lookup types the provider answers.
var supportedTypes = []string{"ipv4", "ipv6", "dns", "hostname", "url", "md5_hash", "sha1_hash", "sha256_hash", "file_hash", "email"}

// Normalised is a classified, canonical indicator value.
type Normalised struct {
	Class  Class
	Type   string // ioc type name: ipv4, ipv6, dns, url, md5_hash, sha1_hash, sha256_hash, email
	Value  string // canonical value: package ioc's form (URLs also without fragment and lone "/")
	Prefix netip.Prefix
	IsCIDR bool
}

// Classify infers the type of a feed value and returns its canonical form
// through package ioc (ioc.Classify), so feed entries and looked-up values
// agree: hashes and domains lower case, domains punycode without a
// trailing dot, URLs refanged with a lower-case scheme and host. A value
// with a "/" that parses as a network is a CIDR entry. ok is false for
// values that are not indicators of a supported type. Non-routable values
// are kept: a feed may list them.
func Classify(raw string) (Normalised, bool) {
	if strings.IndexByte(raw, '/') >= 0 && !strings.Contains(raw, "://") {
		if n, ok := fromObservable(ioc.Preprocess(raw, ioc.CIDR)); ok {
			return n, true
		}
	}
	return fromObservable(ioc.Classify(raw))
}

// Normalise returns the canonical value of v taken as type t (an ioc type
// name or alias); ok is false when v is not a valid value of that type.
func Normalise(v, t string) (Normalised, bool) {
	it, err := ioc.ParseType(t)
	if err != nil || typeClass(t) == ClassNone {
		return Normalised{}, false
	}
	if (it == ioc.IPv4 || it == ioc.IPv6 || it == ioc.IP) && strings.IndexByte(v, '/') >= 0 {
		n, ok := fromObservable(ioc.Preprocess(v, ioc.CIDR))
		if ok && it != ioc.IP && n.Type != string(it) {
			return Normalised{}, false
		}
		return n, ok
	}
	return fromObservable(ioc.Preprocess(v, it))
}

// fromObservable maps a pre-processed observable to the index form.
func fromObservable(o ioc.Observable) (Normalised, bool) {
	if o.Check != ioc.Ok && o.Check != ioc.NotRoutable {
		return Normalised{}, false
	}
	switch o.Type {
	case ioc.IPv4, ioc.IPv6:
		a, err := netip.ParseAddr(o.Value)
		if err != nil {
			return Normalised{}, false
		}
		return Normalised{Class: ClassIP, Type: string(o.Type), Value: a.String(), Prefix: netip.PrefixFrom(a, a.BitLen())}, true
	case ioc.CIDR:
		p, err := netip.ParsePrefix(o.Value)
		if err != nil {
			return Normalised{}, false
		}
		return prefixNorm(p)
	case ioc.DNS, ioc.Hostname:
		return Normalised{Class: ClassDomain, Type: "dns", Value: o.Value}, true
	case ioc.URL:
		return Normalised{Class: ClassURL, Type: "url", Value: canonURL(o.Value)}, true
	case ioc.MD5, ioc.SHA1, ioc.SHA256, ioc.FileHash:
		t := map[int]string{32: "md5_hash", 40: "sha1_hash", 64: "sha256_hash"}[len(o.Value)]
		if t == "" {
			return Normalised{}, false
		}
		return Normalised{Class: ClassHash, Type: t, Value: o.Value}, true
	case ioc.Email:
		return Normalised{Class: ClassEmail, Type: "email", Value: o.Value}, true
	}
	return Normalised{}, false
}

func prefixNorm(p netip.Prefix) (Normalised, bool) {
	p = p.Masked()
	a := p.Addr()
	if !p.IsValid() || a.Is4In6() || a.Zone() != "" {
		return Normalised{}, false
	}
	t := "ipv4"
	if a.Is6() {
		t = "ipv6"
	}
	if p.IsSingleIP() {
		return Normalised{Class: ClassIP, Type: t, Value: a.String(), Prefix: p}, true
	}
	return Normalised{Class: ClassIP, Type: t, Value: p.String(), Prefix: p, IsCIDR: true}, true
}

// canonURL drops the fragment and a lone "/" path of an ioc-canonical URL.
func canonURL(v string) string {
	if i := strings.IndexByte(v, '#'); i >= 0 {
		v = v[:i]
	}
	if i := strings.Index(v, "://"); i >= 0 {
		rest := v[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 && j == len(rest)-1 {
			v = v[:len(v)-1]
		}
	}
	return v
}

// normIP reads an address or network leniently (warninglists, MISP ip types).
func normIP(v string) (Normalised, bool) {
	v = strings.TrimSpace(v)
	if strings.IndexByte(v, '/') >= 0 {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return Normalised{}, false
		}
		return prefixNorm(p)
	}
	a, err := netip.ParseAddr(v)
	if err != nil || a.Zone() != "" {
		return Normalised{}, false
	}
	a = a.Unmap()
	return prefixNorm(netip.PrefixFrom(a, a.BitLen()))
}

var idnaProfile = idna.New(idna.MapForLookup(), idna.Transitional(false), idna.StrictDomainName(false))

// normDomain lower-cases, strips one trailing dot and converts to punycode;
// it needs at least two labels, an alphabetic (or xn--) last label and
// labels of letters, digits, '-' and '_' of at most 63 bytes.
func normDomain(v string) (string, bool) {
	v = strings.TrimSuffix(v, ".")
	if v == "" || len(v) > 253 || strings.IndexByte(v, '.') < 0 {
		return "", false
	}
	ascii := true
	for i := 0; i < len(v); i++ {
		if v[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if !ascii {
		p, err := idnaProfile.ToASCII(v)
		if err != nil {
			return "", false
		}
		v = p
	}
	v = strings.ToLower(v)
	labels := 0
	last := ""
	for rest := v; ; {
		i := strings.IndexByte(rest, '.')
		l := rest
		if i >= 0 {
			l = rest[:i]
		}
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", false
		}
		for j := 0; j < len(l); j++ {
			c := l[j]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return "", false
			}
		}
		labels++
		last = l
		if i < 0 {
			break
		}
		rest = rest[i+1:]
	}
	if labels < 2 {
		return "", false
	}
	if !strings.HasPrefix(last, "xn--") {
		for j := 0; j < len(last); j++ {
			if c := last[j]; c < 'a' || c > 'z' {
				return "", false
			}
		}
		if len(last) < 2 {
			return "", false
		}
	}
	return v, true
}

// urlHost returns the host part of a canonical URL (no port, no brackets,
// no userinfo), lower case.
func urlHost(v string) string {
	i := strings.Index(v, "://")
	if i < 0 {
		return ""
	}
	h := v[i+3:]
	if j := strings.IndexAny(h, "/?#"); j >= 0 {
		h = h[:j]
	}
	if j := strings.LastIndexByte(h, '@'); j >= 0 {
		h = h[j+1:]
	}
	if strings.HasPrefix(h, "[") {
		if j := strings.IndexByte(h, ']'); j > 0 {
			return strings.ToLower(h[1:j])
		}
		return ""
	}
	if j := strings.LastIndexByte(h, ':'); j >= 0 {
		h = h[:j]
	}
	return strings.ToLower(h)
}

// stripQuery returns a canonical URL without its query string.
func stripQuery(v string) string {
	if i := strings.IndexByte(v, '?'); i >= 0 {
		return v[:i]
	}
	return v
}

// quickNorm recognises values that are already in canonical form (what
// the lookup engine hands providers after ioc.Preprocess) without
// allocating; ok is false when the full Normalise is needed.
func quickNorm(v string, c Class) (Normalised, bool) {
	switch c {
	case ClassHash:
		t := ""
		switch len(v) {
		case 32:
			t = "md5_hash"
		case 40:
			t = "sha1_hash"
		case 64:
			t = "sha256_hash"
		default:
			return Normalised{}, false
		}
		for i := 0; i < len(v); i++ {
			if ch := v[i]; !('0' <= ch && ch <= '9' || 'a' <= ch && ch <= 'f') {
				return Normalised{}, false
			}
		}
		return Normalised{Class: ClassHash, Type: t, Value: v}, true
	case ClassIP:
		if strings.IndexByte(v, ':') >= 0 || strings.IndexByte(v, '/') >= 0 {
			return Normalised{}, false
		}
		a, err := netip.ParseAddr(v)
		if err != nil || !a.Is4() {
			return Normalised{}, false
		}
		return Normalised{Class: ClassIP, Type: "ipv4", Value: v, Prefix: netip.PrefixFrom(a, 32)}, true
	case ClassURL:
		// http(s)://host/path with a lower-case scheme and host, ASCII
		// only, no fragment and not ending in a lone "/".
		rest, ok := strings.CutPrefix(v, "https://")
		if !ok {
			if rest, ok = strings.CutPrefix(v, "http://"); !ok {
				return Normalised{}, false
			}
		}
		host := rest
		if j := strings.IndexAny(rest, "/?"); j >= 0 {
			host = rest[:j]
			if rest[j:] == "/" {
				return Normalised{}, false
			}
		}
		if host == "" || strings.IndexByte(v, '#') >= 0 {
			return Normalised{}, false
		}
		for i := 0; i < len(host); i++ {
			if ch := host[i]; !('a' <= ch && ch <= 'z' || '0' <= ch && ch <= '9' || ch == '-' || ch == '.' || ch == ':') {
				return Normalised{}, false
			}
		}
		for i := 0; i < len(v); i++ {
			if v[i] >= 0x80 || v[i] <= ' ' {
				return Normalised{}, false
			}
		}
		return Normalised{Class: ClassURL, Type: "url", Value: v}, true
	case ClassDomain:
		if v == "" || v[len(v)-1] == '.' || v[0] == '.' || strings.IndexByte(v, '.') < 0 {
			return Normalised{}, false
		}
		for i := 0; i < len(v); i++ {
			if ch := v[i]; !('a' <= ch && ch <= 'z' || '0' <= ch && ch <= '9' || ch == '-' || ch == '.' || ch == '_') {
				return Normalised{}, false
			}
		}
		return Normalised{Class: ClassDomain, Type: "dns", Value: v}, true
	}
	return Normalised{}, false
}
