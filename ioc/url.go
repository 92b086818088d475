package ioc

import (
	"net/netip"
	"strconv"
	"strings"
)

// TrimURL removes trailing punctuation that ends a sentence rather than a
// URL: . , ; : ! ? ' " and closing brackets that have no opening partner
// in the URL.
func TrimURL(s string) string {
	var open, closed [4]int // ( [ { <  and  ) ] } >
	counted := false
	for len(s) > 0 {
		c := s[len(s)-1]
		switch c {
		case '.', ',', ';', ':', '!', '?', '\'', '"', '*':
			s = s[:len(s)-1]
			continue
		case ')', ']', '}', '>':
			if !counted {
				// count once; trimming then only decrements (linear time)
				for i := 0; i < len(s); i++ {
					if k := strings.IndexByte("([{<", s[i]); k >= 0 {
						open[k]++
					} else if k := strings.IndexByte(")]}>", s[i]); k >= 0 {
						closed[k]++
					}
				}
				counted = true
			}
			k := strings.IndexByte(")]}>", c)
			if open[k] < closed[k] {
				closed[k]--
				s = s[:len(s)-1]
				continue
			}
		}
		break
	}
	return s
}

// parsedURL is a URL split into its parts (host already normalised).
type parsedURL struct {
	scheme, userinfo, host, port, rest string
	hostIP                             netip.Addr
}

func urlObservable(o Observable, v string) Observable {
	v = TrimURL(v)
	u, r := parseURL(v)
	if r != "" {
		return o.invalid(r)
	}
	var b strings.Builder
	b.Grow(len(v) + 8)
	b.WriteString(u.scheme)
	b.WriteString("://")
	b.WriteString(u.userinfo)
	if u.hostIP.Is6() {
		b.WriteByte('[')
		b.WriteString(u.host)
		b.WriteByte(']')
	} else {
		b.WriteString(u.host)
	}
	if u.port != "" {
		b.WriteByte(':')
		b.WriteString(u.port)
	}
	escapeNonASCII(&b, u.rest)
	o.Value = b.String()
	if u.hostIP.IsValid() {
		if r := NonRoutableReason(u.hostIP); r != "" {
			o.Check, o.Reason = NotRoutable, r
		}
	}
	return o
}

// parseURL splits and validates a refanged URL.
func parseURL(v string) (parsedURL, string) {
	var u parsedURL
	i := strings.Index(v, "://")
	if i <= 0 {
		return u, "does not match expected pattern for url"
	}
	scheme := lowerASCII(v[:i])
	for j := 0; j < len(scheme); j++ {
		if c := scheme[j]; !isAlnum(c) && c != '+' && c != '-' && c != '.' {
			return u, "does not match expected pattern for url"
		}
	}
	if !knownScheme(scheme) {
		return u, scheme + " URL scheme is not supported"
	}
	if scheme == "file" {
		return u, "file URL scheme is not supported"
	}
	for j := 0; j < len(v); j++ {
		if c := v[j]; c <= ' ' || c == 0x7f {
			return u, "URL contains white space or control characters"
		}
	}
	u.scheme = scheme
	rest := v[i+3:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	auth := rest[:end]
	u.rest = rest[end:]
	if at := strings.LastIndexByte(auth, '@'); at >= 0 {
		u.userinfo = auth[:at+1]
		auth = auth[at+1:]
	}
	hostport := auth
	if strings.HasPrefix(hostport, "[") {
		j := strings.IndexByte(hostport, ']')
		if j < 0 {
			return u, "Could not obtain scheme or host from " + v
		}
		a, err := netip.ParseAddr(hostport[1:j])
		if err != nil || !a.Is6() {
			return u, "host is not a valid IPv6 address"
		}
		u.hostIP = a.WithZone("")
		u.host = u.hostIP.String()
		hostport = hostport[j+1:]
		if hostport != "" {
			if hostport[0] != ':' {
				return u, "Could not obtain scheme or host from " + v
			}
			u.port = hostport[1:]
		}
	} else {
		if c := strings.LastIndexByte(hostport, ':'); c >= 0 {
			u.port = hostport[c+1:]
			hostport = hostport[:c]
		}
		if hostport == "" {
			return u, "Could not obtain scheme or host from " + v
		}
		if isIPv4Shape(hostport) {
			a, ok := parseIPv4(hostport)
			if !ok {
				return u, "host is not a valid IP address"
			}
			u.hostIP = a
			u.host = a.String()
		} else {
			h := strings.TrimSuffix(hostport, ".")
			if strings.IndexByte(h, '.') < 0 {
				return u, "Host is unqualified domain name"
			}
			d, r := normDomain(h, false)
			if r != "" {
				return u, "URL host: " + r
			}
			u.host = d
		}
	}
	if u.port != "" {
		if _, ok := parsePort(u.port); !ok {
			return u, "Could not obtain scheme or host from " + v
		}
		n, _ := strconv.Atoi(u.port)
		u.port = strconv.Itoa(n)
	}
	return u, ""
}

const hexDigits = "0123456789ABCDEF"

// escapeNonASCII writes s percent-encoding bytes ≥ 0x80 (the form a
// browser sends), keeping everything else as written.
func escapeNonASCII(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
			continue
		}
		b.WriteByte(c)
	}
}
