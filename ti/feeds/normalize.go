package feeds

import (
	"net/netip"
	"net/url"
	"strings"

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

// typeClass maps lookup/ioc type names to a class.
func typeClass(t string) Class {
	switch strings.ToLower(t) {
	case "ipv4", "ipv6", "ip":
		return ClassIP
	case "dns", "hostname", "domain":
		return ClassDomain
	case "url":
		return ClassURL
	case "md5_hash", "sha1_hash", "sha256_hash", "file_hash", "md5", "sha1", "sha256", "hash":
		return ClassHash
	case "email":
		return ClassEmail
	}
	return ClassNone
}

// supportedTypes are the lookup types the provider answers.
var supportedTypes = []string{"ipv4", "ipv6", "dns", "hostname", "url", "md5_hash", "sha1_hash", "sha256_hash", "file_hash", "email"}

// refang undoes the common defanging forms: [.] (.) [dot] → ".", hxxp → http,
// fxp → ftp, [at] → @, [:] → ":".
func refang(s string) string {
	if !strings.ContainsAny(s, "[(xX") {
		return s
	}
	r := strings.NewReplacer("[.]", ".", "(.)", ".", "[dot]", ".", "[DOT]", ".", "[at]", "@", "[AT]", "@", "[:]", ":", "[://]", "://")
	s = r.Replace(s)
	ls := strings.ToLower(s)
	for _, p := range [...]struct{ from, to string }{{"hxxps", "https"}, {"hxxp", "http"}, {"fxps", "ftps"}, {"fxp", "ftp"}} {
		if strings.HasPrefix(ls, p.from+"://") || strings.HasPrefix(ls, p.from+"[://]") {
			s = p.to + s[len(p.from):]
			break
		}
	}
	return s
}

// Normalised is a classified, canonical indicator value.
type Normalised struct {
	Class  Class
	Type   string // ioc type name: ipv4, ipv6, dns, url, md5_hash, sha1_hash, sha256_hash, email
	Value  string // canonical value (lower-case hashes/domains, canonical IPs, refanged URLs)
	Prefix netip.Prefix
	IsCIDR bool
}

// Classify infers the type of a feed value and returns its canonical form.
// ok is false for values that are not indicators of a supported type.
// This follows the rules of package ioc for the types feeds can hold:
// hashes and domains lower case, domains punycode without a trailing dot,
// URLs refanged with a lower-case scheme and host.
func Classify(raw string) (Normalised, bool) {
	v := strings.TrimSpace(refang(strings.TrimSpace(raw)))
	if v == "" {
		return Normalised{}, false
	}
	if strings.Contains(v, "://") {
		return normURL(v)
	}
	if isHex(v) {
		switch len(v) {
		case 32:
			return Normalised{Class: ClassHash, Type: "md5_hash", Value: strings.ToLower(v)}, true
		case 40:
			return Normalised{Class: ClassHash, Type: "sha1_hash", Value: strings.ToLower(v)}, true
		case 64:
			return Normalised{Class: ClassHash, Type: "sha256_hash", Value: strings.ToLower(v)}, true
		}
	}
	if n, ok := normIP(v); ok {
		return n, true
	}
	if i := strings.LastIndexByte(v, '@'); i > 0 {
		d, ok := normDomain(v[i+1:])
		if !ok || strings.ContainsAny(v[:i], " \t<>,;") {
			return Normalised{}, false
		}
		return Normalised{Class: ClassEmail, Type: "email", Value: strings.ToLower(v[:i]) + "@" + d}, true
	}
	if d, ok := normDomain(v); ok {
		return Normalised{Class: ClassDomain, Type: "dns", Value: d}, true
	}
	return Normalised{}, false
}

// Normalise returns the canonical value of v taken as type t (an ioc type
// name); ok is false when v is not a valid value of that type's class.
func Normalise(v, t string) (Normalised, bool) {
	c := typeClass(t)
	v = strings.TrimSpace(refang(strings.TrimSpace(v)))
	switch c {
	case ClassIP:
		return normIP(v)
	case ClassDomain:
		d, ok := normDomain(v)
		return Normalised{Class: ClassDomain, Type: "dns", Value: d}, ok
	case ClassURL:
		return normURL(v)
	case ClassHash:
		if !isHex(v) || (len(v) != 32 && len(v) != 40 && len(v) != 64) {
			return Normalised{}, false
		}
		n, _ := Classify(v)
		return n, true
	case ClassEmail:
		n, ok := Classify(v)
		return n, ok && n.Class == ClassEmail
	}
	return Normalised{}, false
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func normIP(v string) (Normalised, bool) {
	if strings.IndexByte(v, '/') >= 0 {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return Normalised{}, false
		}
		p = p.Masked()
		a := p.Addr()
		if a.Is4In6() {
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
	a, err := netip.ParseAddr(v)
	if err != nil || a.Zone() != "" {
		return Normalised{}, false
	}
	a = a.Unmap()
	t := "ipv4"
	if a.Is6() {
		t = "ipv6"
	}
	return Normalised{Class: ClassIP, Type: t, Value: a.String(), Prefix: netip.PrefixFrom(a, a.BitLen())}, true
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

// normURL refangs, lower-cases scheme and host, drops the fragment and a
// lone trailing "/" path. The query string is kept.
func normURL(v string) (Normalised, bool) {
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return Normalised{}, false
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "/" && u.RawQuery == "" {
		u.Path = ""
	}
	return Normalised{Class: ClassURL, Type: "url", Value: u.String()}, true
}

// urlHost returns the host part of a canonical URL (no port, no brackets, no userinfo).
func urlHost(v string) string {
	u, err := url.Parse(v)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// stripQuery returns a canonical URL without its query string.
func stripQuery(v string) string {
	if i := strings.IndexByte(v, '?'); i >= 0 {
		return v[:i]
	}
	return v
}
