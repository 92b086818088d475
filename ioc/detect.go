package ioc

import (
	"net/netip"
	"strings"
)

func trimSpace(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// character flags for the one-pass scan in detect.
const (
	fNotHex      = 1 << iota // not [0-9a-fA-F]
	fNotDigitDot             // not [0-9.]
	fSpace                   // white space or control
	fColon
	fSlash
	fBack
	fAt
	fDot
	fHigh   // non-ASCII
	fDefang // '[', '(', '{', 'x', 'X': may need refanging
)

var charFlags [256]uint16

func init() {
	for i := 0; i < 256; i++ {
		c := byte(i)
		var f uint16
		if !isHex(c) {
			f |= fNotHex
		}
		if !isDigit(c) && c != '.' {
			f |= fNotDigitDot
		}
		switch {
		case c <= ' ' || c == 0x7f:
			f |= fSpace
		case c == ':':
			f |= fColon
		case c == '/':
			f |= fSlash
		case c == '\\':
			f |= fBack
		case c == '@':
			f |= fAt
		case c == '.':
			f |= fDot
		case c >= 0x80:
			f |= fHigh
		case c == '[' || c == '(' || c == '{' || c == 'x' || c == 'X':
			f |= fDefang
		}
		charFlags[i] = f
	}
}

func scanFlags(s string) uint16 {
	var f uint16
	for i := 0; i < len(s); i++ {
		f |= charFlags[s[i]]
	}
	return f
}

// Detect infers the type of one value: surrounding white space is ignored
// and defanged forms are refanged first. It returns Unknown when the value
// is no observable. Detect types a value by its shape; whether the value is
// then valid (octets ≤ 255, hash entropy, URL host...) is Preprocess's
// job, so Detect("999.1.1.1") is IPv4 and Classify reports it Invalid.
//
// Detect is a hand-written scanner (no regular expressions) because it
// runs once per indicator on bulk input; see the package documentation.
func Detect(s string) Type {
	s = trimSpace(s)
	if s == "" {
		return Unknown
	}
	f := scanFlags(s)
	if f&fDefang != 0 && needsRefang(s) {
		if r := Refang(s); r != s {
			s = r
			f = scanFlags(s)
		}
	}
	return detectFlags(s, f)
}

// detect types a trimmed, refanged value.
func detect(s string) Type { return detectFlags(s, scanFlags(s)) }

func detectFlags(s string, f uint16) Type {
	allHex, allDigitDot := f&fNotHex == 0, f&fNotDigitDot == 0
	hasSpace, hasColon, hasSlash, hasBack := f&fSpace != 0, f&fColon != 0, f&fSlash != 0, f&fBack != 0
	hasAt, hasDot, hasHigh := f&fAt != 0, f&fDot != 0, f&fHigh != 0
	if allHex {
		switch len(s) {
		case 32:
			return MD5
		case 40:
			return SHA1
		case 64:
			return SHA256
		}
	}
	if allDigitDot {
		if isIPv4Shape(s) {
			return IPv4
		}
		return Unknown
	}
	c0 := s[0]
	switch {
	case c0 == '/' || c0 == '~' || (c0 == '.' && (strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../"))):
		if isLinuxPath(s) {
			return LinuxPath
		}
		return Unknown
	case hasBack:
		if isWindowsPath(s) {
			return WindowsPath
		}
		return Unknown
	case hasSpace:
		return Unknown
	}
	if hasColon && hasSlash {
		if i := strings.Index(s, "://"); i > 0 {
			if knownScheme(s[:i]) {
				return URL
			}
			return Unknown
		}
	}
	if hasAt {
		if _, r := splitEmail(s); r == "" {
			return Email
		}
		return Unknown
	}
	if hasSlash {
		if p, err := netip.ParsePrefix(s); err == nil && p.Addr().Zone() == "" {
			return CIDR
		}
		return Unknown
	}
	if hasColon {
		// [v6], [v6]:port, v6, v6%zone, a.b.c.d:port, host:port
		if c0 == '[' {
			if _, _, r := splitBracketV6(s); r == "" {
				return IPv6
			}
			return Unknown
		}
		if a, err := netip.ParseAddr(s); err == nil {
			if a.Is4() {
				return Unknown
			}
			return IPv6
		}
		host, _, ok := splitHostPort(s)
		if !ok {
			return Unknown
		}
		if isIPv4Shape(host) {
			return IPv4
		}
		if hasHigh || !isASCII(host) {
			if _, r := normDomain(host, true); r == "" {
				return DNS
			}
			return Unknown
		}
		if asciiDomainReason(host, true) == "" {
			return DNS
		}
		return Unknown
	}
	if !hasDot {
		return Unknown
	}
	if hasHigh {
		if _, r := normDomain(s, true); r == "" {
			return DNS
		}
		return Unknown
	}
	if asciiDomainReason(strings.TrimSuffix(s, "."), true) == "" {
		return DNS
	}
	return Unknown
}

// isIPv4Shape: four groups of 1-3 digits joined by dots (MSTICPy's ipv4
// pattern; octet values are checked later).
func isIPv4Shape(s string) bool {
	groups, n := 0, 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if n == 0 || n > 3 {
				return false
			}
			groups++
			n = 0
			continue
		}
		if !isDigit(s[i]) {
			return false
		}
		n++
	}
	return groups == 4
}

// parseIPv4 parses a dotted quad strictly (no leading zeros, octets ≤ 255).
func parseIPv4(s string) (netip.Addr, bool) {
	var b [4]byte
	g, v, n := 0, 0, 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if n == 0 || n > 3 || g > 3 || v > 255 || (n > 1 && s[i-n] == '0') {
				return netip.Addr{}, false
			}
			b[g] = byte(v)
			g++
			v, n = 0, 0
			continue
		}
		c := s[i]
		if !isDigit(c) {
			return netip.Addr{}, false
		}
		v = v*10 + int(c-'0')
		n++
	}
	if g != 4 {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4(b), true
}

// splitHostPort splits "host:port" with exactly one colon and a decimal
// port 1-65535.
func splitHostPort(s string) (string, int, bool) {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 || strings.IndexByte(s[:i], ':') >= 0 {
		return "", 0, false
	}
	p, ok := parsePort(s[i+1:])
	if !ok {
		return "", 0, false
	}
	return s[:i], p, true
}

func parsePort(s string) (int, bool) {
	if len(s) == 0 || len(s) > 5 {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
	}
	return v, v >= 1 && v <= 65535
}

// splitBracketV6 parses "[v6]" or "[v6]:port".
func splitBracketV6(s string) (netip.Addr, int, string) {
	j := strings.IndexByte(s, ']')
	if len(s) < 3 || s[0] != '[' || j < 0 {
		return netip.Addr{}, 0, "does not match expected pattern for ipv6"
	}
	a, err := netip.ParseAddr(s[1:j])
	if err != nil || !a.Is6() {
		return netip.Addr{}, 0, "IP address is invalid format"
	}
	rest := s[j+1:]
	if rest == "" {
		return a, 0, ""
	}
	if rest[0] != ':' {
		return netip.Addr{}, 0, "does not match expected pattern for ipv6"
	}
	p, ok := parsePort(rest[1:])
	if !ok {
		return netip.Addr{}, 0, "invalid port"
	}
	return a, p, ""
}

// knownScheme: MSTICPy's url schemes (http(s), (s)ftp(s), telnet, ldap,
// file), any case.
func knownScheme(s string) bool {
	switch lowerASCII(s) {
	case "http", "https", "ftp", "ftps", "sftp", "sftps", "telnet", "ldap", "file":
		return true
	}
	return false
}

// isLinuxPath: an absolute ("/a/b"), home ("~/a") or relative ("./a",
// "../a") path with at least one folder part and no NUL or control bytes.
func isLinuxPath(s string) bool {
	rest := s
	switch {
	case strings.HasPrefix(s, "~/"):
		rest = s[2:]
		if rest == "" {
			return false
		}
	case strings.HasPrefix(s, "./"):
		rest = s[2:]
		if rest == "" {
			return false
		}
	case strings.HasPrefix(s, "../"):
		rest = s[3:]
		if rest == "" {
			return false
		}
	case strings.HasPrefix(s, "//"):
		return false
	case strings.HasPrefix(s, "/"):
		rest = s[1:]
		// at least two non-empty segments ("/usr/bin")
		i := strings.IndexByte(rest, '/')
		if i <= 0 || len(strings.Trim(rest[i:], "/")) == 0 {
			return false
		}
	default:
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

// isWindowsPath: "X:\...", "\\server\share...", "\a\b" or a relative path
// with backslashes ("tools\run.bat", ".\run.bat"), none of the characters
// Windows forbids in names (<>"|?* and controls), ':' only after a drive.
func isWindowsPath(s string) bool {
	if jsonEscaped(s) {
		return false
	}
	body := s
	switch {
	case len(s) >= 3 && isAlpha(s[0]) && s[1] == ':' && s[2] == '\\':
		body = s[3:]
		if body == "" {
			return false
		}
	case strings.HasPrefix(s, `\\`):
		body = s[2:]
		if i := strings.IndexByte(body, '\\'); i <= 0 || i == len(body)-1 {
			return false
		}
	default:
		segs := 0
		for _, p := range strings.Split(s, `\`) {
			if p != "" && p != "." && p != ".." {
				segs++
			}
		}
		if escapeSegments(s) {
			return false
		}
		need := 2
		if strings.HasPrefix(s, `.\`) || strings.HasPrefix(s, `..\`) {
			need = 1
		}
		if segs < need {
			return false
		}
	}
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case c < ' ' || c == 0x7f:
			return false
		case c == '<' || c == '>' || c == '"' || c == '|' || c == '?' || c == '*' || c == ':':
			return false
		}
	}
	return true
}

// jsonEscaped reports whether s holds "\/", JSON's escaped slash (MISP
// and STIX exports write "..\/APTnotes\/2014\/apt28.pdf"): text from a
// JSON string, not a Windows path.
func jsonEscaped(s string) bool { return strings.Contains(s, `\/`) }

// escapeSegments reports whether a path with no drive and no UNC host is
// JSON string escapes rather than folders: a part that is one escape
// letter ("\n\nThis" is two newlines and a word), or a \uXXXX escape
// ("\u003cscript").
func escapeSegments(s string) bool {
	parts := strings.Split(s, `\`)
	for i, p := range parts {
		if i == 0 {
			continue // before the first backslash: not after an escape
		}
		if len(p) == 1 && strings.IndexByte("nrtbf", p[0]) >= 0 && i < len(parts)-1 {
			return true
		}
		if len(p) >= 5 && p[0] == 'u' && isHexString(p[1:5]) {
			return true
		}
	}
	return false
}

func isHexString(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

// splitEmail validates local@domain and returns the normalised address.
// The domain's TLD is not checked against the public-suffix list.
func splitEmail(s string) (string, string) {
	i := strings.LastIndexByte(s, '@')
	if i <= 0 || i == len(s)-1 {
		return "", "does not match expected pattern for email"
	}
	local, dom := s[:i], s[i+1:]
	if len(local) > 64 || local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return "", "invalid e-mail local part"
	}
	for j := 0; j < len(local); j++ {
		if !isLocalChar(local[j]) {
			return "", "invalid e-mail local part"
		}
	}
	// The domain's shape only, as MSTICPy: a directory's own domain
	// (corp.local, corp.example) is a real address.
	d, r := normDomainMode(dom, false, false)
	if r != "" {
		return "", "e-mail domain: " + r
	}
	return lowerASCII(local) + "@" + d, ""
}

func isLocalChar(c byte) bool {
	if isAlnum(c) {
		return true
	}
	return strings.IndexByte(".!#$%&'*+-/=?^_`{|}~", c) >= 0
}
