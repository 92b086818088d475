package ioc

import (
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Match is one observable found in text.
type Match struct {
	Type   Type
	Value  string // refanged, normalised (the Observable's Value)
	Raw    string // as written in the text
	Offset int    // byte offset of Raw in the text
	Line   int    // 1-based line of Offset
	Check  Check  // Ok or NotRoutable (invalid candidates are not reported)
	Reason string // the NotRoutable class
}

type extractOpts struct {
	types    map[Type]bool
	keepDups bool
}

// Option changes what Extract reports.
type Option func(*extractOpts)

// WithTypes reports only the given types (the text is still scanned for
// every type, so a URL's host is found as dns even when url is filtered out).
// The IP family alias reports both ipv4 and ipv6; file_hash reports every
// hash type.
func WithTypes(ts ...Type) Option {
	return func(o *extractOpts) {
		if o.types == nil {
			o.types = map[Type]bool{}
		}
		for _, t := range ts {
			switch t {
			case IP:
				o.types[IPv4], o.types[IPv6] = true, true
			case FileHash:
				o.types[MD5], o.types[SHA1], o.types[SHA256] = true, true, true
			case Hostname:
				o.types[DNS] = true
			default:
				o.types[t] = true
			}
		}
	}
}

// KeepDuplicates reports every occurrence, not only the first of each
// (type, value).
func KeepDuplicates() Option { return func(o *extractOpts) { o.keepDups = true } }

// Extract finds every observable in text, in order of appearance, each
// (type, value) once (the first occurrence) unless KeepDuplicates is given.
// Defanged forms are recognised and refanged in Value; Raw keeps them as
// written. A URL or e-mail address also yields its host or domain as a
// separate match (dns, ipv4 or ipv6), as MSTICPy does. Candidates that fail
// pre-processing (bad octets, low-entropy hashes, URL hosts that are not
// public domains...) are not reported; non-routable addresses are, with
// Check NotRoutable. Every reported Value classifies to its Type
// (Classify(m.Value).Type == m.Type). Text taken from JSON or C strings is
// understood: "\n", "\r" and "\t" escapes separate tokens, and Windows
// paths written with doubled backslashes ("C:\\Windows\\x.exe") are
// reported unescaped (Raw keeps them as written).
//
// Extract is a single pass over the bytes with hand-written scanners: each
// position is looked at a bounded number of times, and only candidate
// tokens are pre-processed.
func Extract(text string, opts ...Option) []Match {
	x := extractor{text: text, line: 1}
	for _, o := range opts {
		o(&x.opts)
	}
	if !x.opts.keepDups {
		x.seen = map[string]struct{}{}
		x.doneWord = map[string]int32{}
		x.doneOther = map[string]int32{}
		x.doneWin = map[string]int8{}
	}
	n := len(text)
	for i := 0; i < n; {
		c := text[i]
		if startClass[c] == 0 {
			i++
			continue
		}
		if i > 0 && wordByte[text[i-1]] && !afterEscape(text, i-1) {
			i++
			continue
		}
		if afterEscape(text, i) {
			i++ // the letter of a "\n", "\r" or "\t" escape (JSON, C strings)
			continue
		}
		i = x.scanAt(i)
	}
	return x.out
}

// byte classes
var (
	startClass [256]byte // non-zero: a match may start here
	wordByte   [256]bool // letters, digits, '_' and non-ASCII bytes
	urlStop    [256]bool // ends a URL
	pathByte   [256]bool // may appear in a linux path
	tokByte    [256]bool // letters, digits, '-', '_', '+' (host-like token bytes)
	contByte   [256]bool // may continue a candidate after a token: ':', '.', '@', '[', '(', '{', non-ASCII
)

func init() {
	for c := 0; c < 256; c++ {
		b := byte(c)
		if isAlnum(b) || b == '_' || b >= 0x80 {
			wordByte[c] = true
		}
		if isAlnum(b) || b >= 0x80 || b == '/' || b == '\\' || b == '.' || b == '~' || b == ':' {
			startClass[c] = 1
		}
		if b <= ' ' || b == 0x7f || strings.IndexByte("\"<>`'|\\^", b) >= 0 {
			urlStop[c] = true
		}
		tokByte[c] = isAlnum(b) || b == '-' || b == '_' || b == '+'
		contByte[c] = b >= 0x80 || strings.IndexByte(":.@[({", b) >= 0
		if isAlnum(b) || b >= 0x80 || strings.IndexByte("._-+~@%,/$!=", b) >= 0 {
			pathByte[c] = true
		}
	}
}

type extractor struct {
	text string
	opts extractOpts
	seen map[string]struct{}
	// raw tokens already analysed → how far the scan advanced (only when
	// de-duplicating: a repeated token cannot add a match)
	doneWord, doneOther map[string]int32
	doneWin             map[string]int8
	out                 []Match
	buf                 []byte // refang scratch
	line                int    // line of lineOff
	lineOff             int
}

func (x *extractor) emit(t Type, value, raw string, off int, chk Check, reason string) {
	if x.opts.types != nil && !x.opts.types[t] {
		return
	}
	if x.seen != nil {
		k := string(t) + "\x00" + value
		if _, ok := x.seen[k]; ok {
			return
		}
		x.seen[k] = struct{}{}
	}
	if off >= x.lineOff {
		x.line += strings.Count(x.text[x.lineOff:off], "\n")
	} else {
		x.line -= strings.Count(x.text[off:x.lineOff], "\n")
	}
	x.lineOff = off
	x.out = append(x.out, Match{Type: t, Value: value, Raw: raw, Offset: off, Line: x.line, Check: chk, Reason: reason})
}

// emitObs reports an Observable unless it is invalid.
func (x *extractor) emitObs(o Observable, raw string, off int) bool {
	if o.Check != Ok && o.Check != NotRoutable {
		return false
	}
	x.emit(o.Type, o.Value, raw, off, o.Check, o.Reason)
	return true
}

// prevOK: the byte before a path start must be a separator.
func (x *extractor) prevOK(i int) bool {
	if i == 0 {
		return true
	}
	switch x.text[i-1] {
	case ' ', '\t', '\n', '\r', '"', '\'', '(', '[', '{', '=', ',', ';', '<', '>', '`', '|', '*':
		return true
	}
	return afterEscape(x.text, i-1)
}

// scanAt tries every scanner at a boundary position and returns where to
// continue (always > i).
func (x *extractor) scanAt(i int) int {
	t := x.text
	n := len(t)
	c := t[i]
	switch {
	case c == '/':
		if x.prevOK(i) {
			return x.scanLinuxPath(i)
		}
		return i + 1
	case c == '\\':
		if x.prevOK(i) {
			return x.scanWinPath(i, i)
		}
		return i + 1
	case c == '.':
		if x.prevOK(i) && (strings.HasPrefix(t[i:], "./") || strings.HasPrefix(t[i:], "../")) {
			return x.scanLinuxPath(i)
		}
		if x.prevOK(i) && (strings.HasPrefix(t[i:], `.\`) || strings.HasPrefix(t[i:], `..\`)) {
			return x.scanWinPath(i, i)
		}
		return i + 1
	case c == '~':
		if x.prevOK(i) && strings.HasPrefix(t[i:], "~/") {
			return x.scanLinuxPath(i)
		}
		return i + 1
	case c == ':':
		if i+1 < n && t[i+1] == ':' && (i == 0 || (t[i-1] != '.' && t[i-1] != ':')) {
			if e := x.scanIPv6(i); e > i {
				return e
			}
		}
		return i + 1
	}
	if tokByte[c] {
		// fast path: a plain word that nothing can continue
		k := i + 1
		for k < n && tokByte[t[k]] {
			k++
		}
		if k-i < 32 && (k == n || !contByte[t[k]]) {
			return k
		}
	}
	if isAlpha(c) {
		// scheme://
		j := i
		for j < n && j-i <= 7 && isAlpha(t[j]) {
			j++
		}
		if j < n && j-i >= 3 && (t[j] == ':' || t[j] == '[' || t[j] == '(') {
			if sep := schemeSepLen(t[j:]); sep > 0 {
				s := lowerASCII(t[i:j])
				if knownScheme(s) || defangSchemes[s] != "" {
					if e := x.scanURL(i, j+sep); e > i {
						return e
					}
				}
			}
		}
		// X:\ drive path
		if i+3 < n && t[i+1] == ':' && t[i+2] == '\\' && (i == 0 || !wordByte[t[i-1]]) {
			return x.scanWinPath(i, i+3)
		}
	}
	if isHex(c) {
		// IPv6 needs a ':' within the first five bytes
		k := i
		for k < n && k-i < 4 && isHex(t[k]) {
			k++
		}
		if k < n && t[k] == ':' {
			if e := x.scanIPv6(i); e > i {
				return e
			}
		}
	}
	return x.scanWord(i)
}

func schemeSepLen(s string) int {
	switch {
	case strings.HasPrefix(s, "://"):
		return 3
	case strings.HasPrefix(s, "[://]"), strings.HasPrefix(s, "[:]//"), strings.HasPrefix(s, "(://)"):
		return 5
	}
	return 0
}

// maxIPv6Run bounds an IPv6 candidate ("ffff:…:255.255.255.255" is 45).
const maxIPv6Run = 64

// scanIPv6 reads [0-9a-f:.] from i and reports an IPv6 address.
func (x *extractor) scanIPv6(i int) int {
	t := x.text
	j := i
	for j < len(t) && (isHex(t[j]) || t[j] == ':' || t[j] == '.') {
		j++
	}
	if j-i > maxIPv6Run {
		return j // far too long for an address: skip the whole run (keeps the scan linear)
	}
	e := j
	for e > i && (t[e-1] == '.' || (t[e-1] == ':' && (e-2 < i || t[e-2] != ':'))) {
		e--
	}
	if j < len(t) && wordByte[t[j]] && e == j {
		return i
	}
	raw := t[i:e]
	if strings.Count(raw, ":") < 2 {
		return i
	}
	a, err := netip.ParseAddr(raw)
	if err != nil || !a.Is6() {
		return i
	}
	if k := x.prefixLen(j); e == j && k > j {
		if x.emitCIDR(raw+t[j:k], t[i:k], i) {
			return k
		}
	}
	o := Observable{Input: raw, Type: IPv6, Value: a.String()}
	r := NonRoutableReason(a)
	if r == ReasonReserved && strings.Count(raw, ":") < 3 && !globalUni6.Contains(a) {
		// "abc::def", "a::b": identifiers in code, not addresses
		return j
	}
	if r != "" {
		o.Check, o.Reason = NotRoutable, r
	}
	x.emitObs(o, raw, i)
	return j
}

// scanURL reads a URL whose scheme starts at i and whose host starts at h.
func (x *extractor) scanURL(i, h int) int {
	t := x.text
	j := h
	for j < len(t) {
		c := t[j]
		if c < 0x80 {
			if urlStop[c] {
				break
			}
			j++
			continue
		}
		r, size := utf8.DecodeRuneInString(t[j:])
		if r == utf8.RuneError || unicode.IsSpace(r) || isQuoteRune(r) {
			break
		}
		j += size
	}
	raw := TrimURL(t[i:j])
	if len(raw) <= h-i {
		return i
	}
	o := Preprocess(raw, URL)
	if !x.emitObs(o, raw, i) {
		return i + len(raw)
	}
	// the host as its own match
	auth := t[h : i+len(raw)]
	if k := strings.IndexAny(auth, "/?#"); k >= 0 {
		auth = auth[:k]
	}
	hostOff := h
	if k := strings.LastIndexByte(auth, '@'); k >= 0 {
		hostOff += k + 1
		auth = auth[k+1:]
	}
	host := auth
	if strings.HasPrefix(host, "[") && !strings.HasPrefix(host, "[.]") {
		if k := strings.IndexByte(host, ']'); k > 0 {
			host = host[1:k]
			hostOff++
		}
	} else if k := strings.LastIndexByte(host, ':'); k >= 0 && (k == 0 || host[k-1] != '[') {
		host = host[:k]
	}
	if host != "" {
		ho := Classify(host)
		if ho.Type == DNS || ho.Type == IPv4 || ho.Type == IPv6 {
			x.emitObs(ho, host, hostOff)
		}
	}
	return i + len(raw)
}

func isQuoteRune(r rune) bool {
	switch r {
	case '“', '”', '‘', '’', '«', '»', '‹', '›', '「', '」':
		return true
	}
	return false
}

// scanWord reads a host-like token (labels, dots, defanged dots, one '@')
// and reports a hash, IPv4 address or network, e-mail address or domain.
func (x *extractor) scanWord(i int) int {
	t := x.text
	n := len(t)
	// buf holds the refanged token, filled only once a defang sequence is
	// met (until then the token is t[i:j] itself).
	buf := x.buf[:0]
	j := i
	at, atRawEnd := -1, -1
	defanged, dotted := false, false
	for j < n {
		c := t[j]
		switch {
		case tokByte[c]:
			k := j + 1
			for k < n && tokByte[t[k]] {
				k++
			}
			if defanged {
				buf = append(buf, t[j:k]...)
			}
			j = k
			continue
		case c >= 0x80:
			r, size := utf8.DecodeRuneInString(t[j:])
			if r == utf8.RuneError || !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)) {
				goto done
			}
			if defanged {
				buf = append(buf, t[j:j+size]...)
			}
			j += size
			continue
		case c == '.':
			if j+1 < n && labelStart(t[j+1]) {
				dotted = true
				if defanged {
					buf = append(buf, '.')
				}
				j++
				continue
			}
		case c == '@':
			if at < 0 && j+1 < n && labelStart(t[j+1]) && j > i {
				if defanged {
					at = len(buf)
					buf = append(buf, '@')
				} else {
					at = j - i
				}
				j++
				atRawEnd = j
				continue
			}
		case c == '[' || c == '(' || c == '{':
			if k, to := matchDefang(t[j:]); k > 0 && (to == "." || to == "@") && j+k < n && labelStart(t[j+k]) {
				if to == "@" && (at >= 0 || j == i) {
					goto done
				}
				if !defanged {
					buf = append(buf, t[i:j]...)
					defanged = true
				}
				if to == "@" {
					at = len(buf)
					atRawEnd = j + k
				}
				buf = append(buf, to...)
				j += k
				dotted = dotted || to == "."
				continue
			}
		}
		break
	}
done:
	x.buf = buf
	if j == i {
		return i + 1
	}
	raw := t[i:j]
	if !dotted && at < 0 && len(raw) < 32 {
		return j // a plain word: nothing to find
	}
	if x.doneWord != nil {
		if d, ok := x.doneWord[raw]; ok {
			return i + int(d)
		}
	}
	e := x.word(i, j, raw, at, atRawEnd, defanged)
	if x.doneWord != nil {
		x.doneWord[raw] = int32(e - i)
	}
	return e
}

// word analyses the token t[i:j] (x.buf holds its refanged form).
func (x *extractor) word(i, j int, raw string, at, atRawEnd int, defanged bool) int {
	t := x.text
	w := raw
	if defanged {
		w = string(x.buf)
	}
	// hash (possibly followed by ".ext")
	if k := hexRun(raw); k == 32 || k == 40 || k == 64 {
		if k == len(raw) || !isAlnum(raw[k]) {
			o := Preprocess(raw[:k], HashType(raw[:k]))
			x.emitObs(o, raw[:k], i)
			return i + k
		}
	}
	if at >= 0 {
		o := Preprocess(w, Email)
		if x.emitObs(o, raw, i) {
			dom := w[at+1:]
			// the domain as its own match, unless inference would not call it
			// a domain (the file-name rule), so it classifies back to dns
			if d := Preprocess(dom, DNS); d.Check == Ok && asciiDomainReason(d.Value, true) == "" {
				x.emitObs(d, t[atRawEnd:j], atRawEnd)
			}
			return j
		}
		// not an address: the part after '@' may still be a domain
		if k := atRawEnd; k < j && labelStart(t[k]) {
			return k
		}
		return j
	}
	if strings.IndexByte(w, '.') < 0 {
		return j
	}
	if isIPv4Shape(w) {
		a, ok := parseIPv4(w)
		if !ok {
			return j
		}
		// a.b.c.d/nn network
		if k := x.prefixLen(j); k > j && x.emitCIDR(a.String()+t[j:k], t[i:k], i) {
			return k
		}
		o := Observable{Type: IPv4, Value: a.String()}
		if r := NonRoutableReason(a); r != "" {
			o.Check, o.Reason = NotRoutable, r
		}
		x.emitObs(o, raw, i)
		return j
	}
	if strings.IndexByte(w, '+') >= 0 || strings.IndexByte(w, '_') >= 0 {
		return j
	}
	var d, r string
	if isASCII(w) {
		if r = asciiDomainReason(w, true); r == "" {
			d = lowerASCII(w)
		}
	} else {
		d, r = normDomain(w, true)
	}
	if r == "" {
		x.emit(DNS, d, raw, i, Ok, "")
	}
	return j
}

// prefixLen returns the end of a "/nn" prefix length at j (1-3 digits not
// followed by a word byte), or j when there is none.
func (x *extractor) prefixLen(j int) int {
	t := x.text
	if j+1 >= len(t) || t[j] != '/' || !isDigit(t[j+1]) {
		return j
	}
	k := j + 1
	for k < len(t) && isDigit(t[k]) && k-j <= 3 {
		k++
	}
	if k < len(t) && (wordByte[t[k]] || t[k] == '/' || t[k] == '.') {
		return j
	}
	return k
}

// emitCIDR reports the network s (address/bits) if it parses.
func (x *extractor) emitCIDR(s, raw string, off int) bool {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return false
	}
	p = p.Masked()
	o := Observable{Type: CIDR, Value: p.String()}
	if r := prefixReason(p); r != "" {
		o.Check, o.Reason = NotRoutable, r
	}
	return x.emitObs(o, raw, off)
}

// afterEscape reports whether t[k] is the letter of a \n, \r or \t escape
// (a backslash before it that is not itself escaped).
func afterEscape(t string, k int) bool {
	if k < 1 || t[k-1] != '\\' {
		return false
	}
	switch t[k] {
	case 'n', 'r', 't':
		return k < 2 || t[k-2] != '\\'
	}
	return false
}

func labelStart(c byte) bool { return isAlnum(c) || c >= 0x80 }

func hexRun(s string) int {
	k := 0
	for k < len(s) && isHex(s[k]) {
		k++
	}
	return k
}

// scanLinuxPath reads an absolute, home or ./relative path.
func (x *extractor) scanLinuxPath(i int) int {
	t := x.text
	j := i
	for j < len(t) && pathByte[t[j]] {
		j++
	}
	raw := strings.TrimRight(t[i:j], ".,!=")
	if _, done := x.doneOther[raw]; !done {
		if isLinuxPath(raw) && !strings.Contains(raw, "//") {
			x.emit(LinuxPath, raw, raw, i, Ok, "")
		}
		if x.doneOther != nil {
			x.doneOther[raw] = 0
		}
	}
	if j == i {
		return i + 1
	}
	return j
}

// scanWinPath reads a Windows path starting at i ("C:\", "\\server",
// "\dir", ".\x"); body is where the part after the drive begins. A space
// continues the path only when the next word contains a backslash
// ("C:\Program Files\App\x.exe"). A path written with doubled
// backslashes, as inside JSON strings ("C:\\Windows\\x.exe"), is read in
// escaped mode: a doubled backslash is one separator, any other escape
// ("\r", "\n", "\"") ends the path, and the Value is unescaped.
func (x *extractor) scanWinPath(i, body int) int {
	t := x.text
	n := len(t)
	esc := false
	switch {
	case body > i && body < n && t[body-1] == '\\' && t[body] == '\\':
		esc, body = true, body+1 // C:\\...
	case body == i && strings.HasPrefix(t[i:], `\\\\`):
		esc, body = true, i+4 // escaped UNC
	case body == i && strings.HasPrefix(t[i:], `\\`):
		k := i + 2
		for k < n && !winStop(t[k]) && t[k] != '\\' && t[k] != ' ' {
			k++
		}
		if k+1 < n && t[k] == '\\' && t[k+1] == '\\' {
			esc, body = true, i+2 // escaped "\dir\..."
		}
	}
	j := body
	end := min(n, i+maxWinPath)
loop:
	for j < end {
		c := t[j]
		switch {
		case c == ' ':
			k := j + 1
			for k < n && !winStop(t[k]) && t[k] != ' ' && t[k] != '\\' {
				k++
			}
			if k < n && t[k] == '\\' && k > j+1 && (!esc || (k+1 < n && t[k+1] == '\\')) {
				j = k
				continue
			}
			break loop
		case c == '\\' && esc:
			if j+1 < n && t[j+1] == '\\' {
				j += 2
				continue
			}
			break loop
		case winStop(c):
			break loop
		}
		j++
	}
	raw := TrimURL(t[i:j])
	state, done := x.doneWin[raw] // 1: a path, 2: not a path
	if !done {
		value := raw
		if esc {
			value = strings.ReplaceAll(raw, `\\`, `\`)
		}
		state = 2
		if isWindowsPath(value) {
			state = 1
			x.emit(WindowsPath, value, raw, i, Ok, "")
		}
		if x.doneWin != nil {
			x.doneWin[raw] = state
		}
	}
	if state == 2 && body == i && !esc {
		// not a path after all ("\tevil.com" in an escaped string): scan on
		// right after the backslash
		return i + 1
	}
	if j == i {
		return i + 1
	}
	return j
}

// maxWinPath bounds how far one Windows path candidate is read (which
// keeps rescans after a failed candidate linear).
const maxWinPath = 512

func winStop(c byte) bool {
	return c < ' ' || c == 0x7f || c == '"' || c == '<' || c == '>' || c == '|' || c == '?' || c == '*' ||
		c == ':' || c == ',' || c == ';' || c == '\'' || c == '`'
}
