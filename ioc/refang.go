package ioc

import "strings"

// defang tokens (matched ignoring ASCII case) and their replacements.
var defangTokens = []struct{ from, to string }{
	{"[://]", "://"}, {"(://)", "://"},
	{"[.]", "."}, {"(.)", "."}, {"{.}", "."},
	{"[dot]", "."}, {"(dot)", "."}, {"{dot}", "."},
	{"[:]", ":"},
	{"[at]", "@"}, {"(at)", "@"}, {"[@]", "@"}, {"(@)", "@"},
}

// defanged scheme names and the real ones; the "s" of https is kept.
var defangSchemes = map[string]string{
	"hxxp": "http", "hxxps": "https", "hxtp": "http", "hxtps": "https",
	"hxxxp": "http", "hxxxps": "https",
	"fxp": "ftp", "fxps": "ftps", "sfxp": "sftp",
}

// needsRefang is the cheap pre-check: every defang form has a bracket or an
// 'x' in it.
func needsRefang(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[', '(', '{', 'x', 'X':
			return true
		}
	}
	return false
}

// Refang undoes common defanging, ignoring case: hxxp, hxxps, hxtp, hxtps,
// hxxxp, hxxxps, fxp, fxps, sfxp scheme names (only when followed by "://", which may itself be
// defanged as "[://]" or "[:]//"), [.] (.) {.} [dot] (dot) {dot} → ".",
// [:] → ":", [://] → "://", [at] (at) [@] (@) → "@". Anything else is kept
// as written. A string without brackets or an 'x' is returned unchanged
// without allocating.
func Refang(s string) string {
	if !needsRefang(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c == '[' || c == '(' || c == '{' {
			if tok, to := matchDefang(s[i:]); tok > 0 {
				b.WriteString(to)
				i += tok
				continue
			}
		}
		if isAlpha(c) && (i == 0 || !isAlpha(s[i-1])) {
			j := i
			for j < len(s) && j-i < 7 && isAlpha(s[j]) {
				j++
			}
			if real, ok := defangSchemes[lowerASCII(s[i:j])]; ok && followsSchemeSep(s[j:]) {
				b.WriteString(real)
				i = j
				continue
			}
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

func matchDefang(s string) (int, string) {
	for _, t := range defangTokens {
		if len(s) >= len(t.from) && strings.EqualFold(s[:len(t.from)], t.from) {
			return len(t.from), t.to
		}
	}
	return 0, ""
}

// followsSchemeSep reports whether s starts with "://" in a plain or
// defanged form.
func followsSchemeSep(s string) bool {
	return strings.HasPrefix(s, "://") || strings.HasPrefix(s, "[://]") || strings.HasPrefix(s, "[:]//") ||
		strings.HasPrefix(s, "(://)")
}

func isAlpha(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || ((c|0x20) >= 'a' && (c|0x20) <= 'f') }
func isAlnum(c byte) bool { return isAlpha(c) || isDigit(c) }

// lowerASCII lower-cases ASCII letters, returning s itself when it has no
// upper-case letter.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
