package ioc

import (
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// fileExtTLDs are file-name extensions that are also real top-level
// domains. A two-label name ending in one of them ("update.sh",
// "invoice.zip", "notes.one") is taken for a file name, not a domain, by
// Detect and Extract. An explicit dns type still accepts it, and hosts of
// URLs and e-mail domains are never subject to this rule.
var fileExtTLDs = map[string]bool{
	"sh": true, "py": true, "rs": true, "md": true, "ps": true, "so": true,
	"pm": true, "mo": true, "zip": true, "mov": true, "one": true, "pub": true,
	"cab": true,
}

var (
	tldCache     sync.Map // lower-case TLD → bool (ICANN public suffix)
	tldCacheSize atomic.Int32
)

const tldCacheMax = 8192

// icannTLD reports whether the lower-case label tld is a top-level domain
// in the ICANN section of the public-suffix list compiled into
// golang.org/x/net/publicsuffix (never fetched). The package's implicit "*"
// rule and private-section rules do not count.
func icannTLD(tld string) bool {
	if v, ok := tldCache.Load(tld); ok {
		return v.(bool)
	}
	_, icann := publicsuffix.PublicSuffix(tld)
	if !icann {
		// TLDs listed only through a wildcard ("*.ck") need a child label.
		ps, ic := publicsuffix.PublicSuffix("x." + tld)
		icann = ic && ps != tld
	}
	if tldCacheSize.Load() < tldCacheMax {
		if _, loaded := tldCache.LoadOrStore(strings.Clone(tld), icann); !loaded {
			tldCacheSize.Add(1)
		}
	}
	return icann
}

// Domain reasons.
const (
	reasonUnqualified = "Domain is unqualified domain name"
	reasonNotPublic   = "top-level domain is not a public suffix"
	reasonBadTLD      = "top-level domain is not two or more letters"
	reasonBadLabel    = "invalid domain label"
	reasonTooLong     = "domain name too long"
	reasonDomainIsIP  = "Domain is an IP address"
	reasonFileName    = "looks like a file name, not a domain"
)

// asciiDomainReason validates an ASCII domain (any case, no trailing dot):
// labels of letters, digits and inner hyphens (1-63 bytes), at least two
// labels, a TLD that is alphabetic (or an xn-- label) and an ICANN public
// suffix. It returns "" when valid. It does not allocate for lower-case
// input.
func asciiDomainReason(s string, fileRule bool) string {
	return domainReason(s, fileRule, true)
}

// domainReason is asciiDomainReason; with public false the TLD is checked
// for its shape only (two or more letters, or an xn-- label), not against
// the public-suffix list: e-mail domains such as corp.local.
func domainReason(s string, fileRule, public bool) string {
	if len(s) == 0 {
		return "empty domain"
	}
	if len(s) > 253 {
		return reasonTooLong
	}
	labels, start, puny := 0, 0, false
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '.' {
			c := s[i]
			if !isAlnum(c) && c != '-' {
				return reasonBadLabel
			}
			continue
		}
		l := s[start:i]
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return reasonBadLabel
		}
		if len(l) > 4 && l[2] == '-' && l[3] == '-' {
			if !strings.EqualFold(l[:2], "xn") {
				return reasonBadLabel // reserved "??--" labels
			}
			puny = true
		}
		labels++
		start = i + 1
	}
	if labels < 2 {
		return reasonUnqualified
	}
	tld := s[strings.LastIndexByte(s, '.')+1:]
	badTLD := reasonNotPublic
	if !public {
		badTLD = reasonBadTLD
	}
	if len(tld) < 2 {
		return badTLD
	}
	if !(len(tld) > 4 && strings.EqualFold(tld[:4], "xn--")) {
		for i := 0; i < len(tld); i++ {
			if !isAlpha(tld[i]) {
				return badTLD
			}
		}
	}
	ltld := lowerASCII(tld)
	if public && !icannTLD(ltld) {
		return reasonNotPublic
	}
	if fileRule && labels == 2 && fileExtTLDs[ltld] {
		return reasonFileName
	}
	if puny {
		if _, err := idna.Lookup.ToUnicode(s); err != nil {
			return "invalid punycode label"
		}
	}
	return ""
}

// isASCII reports whether s has only ASCII bytes.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// normDomain turns a domain (Unicode or ASCII, any case, optional trailing
// dot) into its lower-case ASCII (punycode) key, or returns a reason.
func normDomain(s string, fileRule bool) (string, string) {
	return normDomainMode(s, fileRule, true)
}

// normDomainMode is normDomain; public false skips the public-suffix check
// (see domainReason).
func normDomainMode(s string, fileRule, public bool) (string, string) {
	s = strings.TrimSuffix(s, ".")
	if s == "" {
		return "", "empty domain"
	}
	if !isASCII(s) {
		a, err := idna.Lookup.ToASCII(s)
		if err != nil {
			return "", "invalid internationalised domain name"
		}
		s = a
	}
	if r := domainReason(s, fileRule, public); r != "" {
		return "", r
	}
	return lowerASCII(s), ""
}
