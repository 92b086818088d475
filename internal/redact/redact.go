// Package redact hides secret values in text msticgo shows: rows, errors,
// logs, panics. One rule everywhere: a secret of at least MinLen
// characters is replaced by Mask wherever it stands as a whole token, that
// is where it is neither preceded nor followed by a letter or digit.
// Ordinary data that merely contains a secret's text keeps its value: with
// a key "443", port 443 stays 443 (too short); with "WS-E", the host
// "WS-ELM" stays "WS-ELM" (not a whole token); with the user "jdoe",
// "jdoe@corp.example.com" becomes "***@corp.example.com".
//
// An escape before the secret is a boundary too, so escaped text is
// redacted as the plain text is: %3D (URL), \n and \u0022 (JSON, Go
// quoting).
//
// A secret that looks like a generated key (8 characters or more, with
// both letters and digits) or holds a %-escape matches without regard to
// ASCII case: a service that echoes a key lower-cased, or writes %2f for
// %2F, is masked too. Other secrets (a word such as "authkey", a host
// name) match as written, so ordinary text in another case, such as the
// setting name AuthKey, keeps its value. Letters outside ASCII always
// match as written.
package redact

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MinLen is the shortest secret that is redacted: shorter values (a port,
// a one-letter user name) would mangle ordinary data and hide nothing.
const MinLen = 4

// Mask replaces a secret.
const Mask = "***"

// Replacer redacts a fixed set of secrets. It is safe for concurrent use.
type Replacer struct {
	secrets []string // longest first
	lower   []string // secrets with ASCII letters lower-cased, same order
	fold    []bool   // whether the secret matches in any ASCII case
}

// folds reports whether a secret matches without regard to ASCII case:
// one that looks generated (at least 8 characters, letters and digits)
// or holds a %-escape, whose hex digits a service may write in either case.
func folds(s string) bool {
	if strings.Contains(s, "%") {
		return true
	}
	letter := strings.ContainsFunc(s, unicode.IsLetter)
	digit := strings.ContainsFunc(s, unicode.IsDigit)
	return letter && digit && utf8.RuneCountInString(s) >= 8
}

// New returns a Replacer for the secrets (surrounding white space trimmed;
// shorter than MinLen and repeated values dropped). It returns nil when no
// secret is left: a nil Replacer returns text unchanged.
func New(secrets ...string) *Replacer {
	seen := map[string]bool{}
	var out []string
	for _, s := range secrets {
		s = strings.TrimSpace(s)
		// a folding secret stands for every case of itself; any other
		// only for itself (TOKENVALUE is kept beside tokenvalue)
		key := "=" + s
		if folds(s) {
			key = asciiLower(s)
		}
		if utf8.RuneCountInString(s) < MinLen || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, s)
	}
	if len(out) == 0 {
		return nil
	}
	// longest first, so a secret containing another is replaced whole
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j]) > len(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	r := &Replacer{secrets: out, lower: make([]string, len(out)), fold: make([]bool, len(out))}
	for i, s := range out {
		r.lower[i] = asciiLower(s)
		r.fold[i] = folds(s)
	}
	return r
}

// Secrets returns the values redacted (longest first).
func (r *Replacer) Secrets() []string {
	if r == nil {
		return nil
	}
	return append([]string(nil), r.secrets...)
}

// Replace returns text with every whole-token secret replaced by Mask
// (in any ASCII case for the secrets that fold).
func (r *Replacer) Replace(text string) string {
	if r == nil {
		return text
	}
	low := asciiLower(text)
	for i, s := range r.lower {
		if !r.fold[i] {
			// as written
			if sec := r.secrets[i]; strings.Contains(text, sec) {
				if t := replaceTokens(text, text, sec); t != text {
					text, low = t, asciiLower(t)
				}
			}
			continue
		}
		if strings.Contains(low, s) {
			if t := replaceTokens(text, low, s); t != text {
				text, low = t, asciiLower(t)
			}
		}
	}
	return text
}

// Mentions reports whether b holds a secret's text anywhere (in any ASCII
// case for the secrets that fold), whole token or not: a quick test before a costlier pass.
func (r *Replacer) Mentions(b []byte) bool {
	if r == nil {
		return false
	}
	text := string(b)
	low := asciiLower(text)
	for i, s := range r.lower {
		if r.fold[i] && strings.Contains(low, s) || !r.fold[i] && strings.Contains(text, r.secrets[i]) {
			return true
		}
	}
	return false
}

// asciiLower returns s with ASCII letters lower-cased; every other byte,
// and so every byte offset, is kept.
func asciiLower(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' })
	if i < 0 {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if c := b[i]; c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Contains reports whether text shows a secret as a whole token.
func (r *Replacer) Contains(text string) bool {
	return r != nil && r.Replace(text) != text
}

// replaceTokens replaces secret (ASCII lower-cased) where it stands in low,
// text lower-cased by asciiLower, as a whole token of text.
func replaceTokens(text, low, secret string) string {
	var b strings.Builder
	last, from := 0, 0
	for {
		i := strings.Index(low[from:], secret)
		if i < 0 {
			break
		}
		i += from
		end := i + len(secret)
		if leftBoundary(text, i, secret) && rightBoundary(text, end, secret) {
			if b.Len() == 0 {
				b.Grow(len(text))
			}
			b.WriteString(text[last:i])
			b.WriteString(Mask)
			last, from = end, end
			continue
		}
		_, w := utf8.DecodeRuneInString(text[i:])
		from = i + w
	}
	if last == 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// leftBoundary: the secret at text[i:] does not continue a word to its left.
func leftBoundary(text string, i int, secret string) bool {
	if i == 0 {
		return true
	}
	if first, _ := utf8.DecodeRuneInString(secret); !isAlnum(first) {
		return true
	}
	prev, _ := utf8.DecodeLastRuneInString(text[:i])
	if !isAlnum(prev) {
		return true
	}
	return afterEscape(text[:i])
}

// rightBoundary: the secret ending at text[:end] does not continue a word
// to its right.
func rightBoundary(text string, end int, secret string) bool {
	if end == len(text) {
		return true
	}
	if last, _ := utf8.DecodeLastRuneInString(secret); !isAlnum(last) {
		return true
	}
	next, _ := utf8.DecodeRuneInString(text[end:])
	return !isAlnum(next)
}

// afterEscape reports whether head ends with an escape sequence: %HH
// (URL), \uHHHH, \xHH or a one-letter backslash escape (\n, \t...).
func afterEscape(head string) bool {
	n := len(head)
	hex := func(s string) bool {
		for _, c := range []byte(s) {
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
		return true
	}
	switch {
	case n >= 3 && head[n-3] == '%' && hex(head[n-2:]):
		return true
	case n >= 6 && head[n-6] == '\\' && head[n-5] == 'u' && hex(head[n-4:]):
		return true
	case n >= 4 && head[n-4] == '\\' && head[n-3] == 'x' && hex(head[n-2:]):
		return true
	case n >= 2 && head[n-2] == '\\':
		return true
	}
	return false
}

// MaskURLPasswords returns text with the user-info password of every URL
// in it (scheme://user:password@host) replaced by Mask, and the passwords
// as written (still percent-encoded). The user name and the rest of the
// URL are kept. A URL's authority ends at the first '/', '?', '#' or white
// space after "://"; its user info ends at the last '@' in the authority.
func MaskURLPasswords(text string) (string, []string) {
	var (
		b    strings.Builder
		pws  []string
		last int
	)
	for from := 0; ; {
		i := strings.Index(text[from:], "://")
		if i < 0 {
			break
		}
		start := from + i + 3
		end := len(text)
		if j := strings.IndexFunc(text[start:], func(r rune) bool {
			return r == '/' || r == '?' || r == '#' || unicode.IsSpace(r)
		}); j >= 0 {
			end = start + j
		}
		from = end
		authority := text[start:end]
		at := strings.LastIndexByte(authority, '@')
		if at < 0 {
			continue
		}
		colon := strings.IndexByte(authority[:at], ':')
		if colon < 0 || colon+1 == at {
			continue
		}
		pwStart, pwEnd := start+colon+1, start+at
		pws = append(pws, text[pwStart:pwEnd])
		b.WriteString(text[last:pwStart])
		b.WriteString(Mask)
		last = pwEnd
	}
	if last == 0 {
		return text, nil
	}
	b.WriteString(text[last:])
	return b.String(), pws
}
