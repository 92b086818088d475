package redact

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
)

// NewEncoded returns a Replacer for the secrets and for the forms in which
// a request, a service or a plugin may write them (see Forms).
func NewEncoded(secrets ...string) *Replacer {
	var forms []string
	for _, s := range secrets {
		forms = append(forms, Forms(strings.TrimSpace(s))...)
	}
	return New(forms...)
}

// Forms returns a secret as written and as text may carry it: URL-escaped
// (query, path, %20 for a space as JavaScript's encodeURIComponent writes
// it, and / kept as Python's urllib.parse.quote does), JSON-escaped (a JSON text inside a string, / as written or
// as \/) and base64
// (standard and URL alphabets, padded or not). A Replacer matches ASCII
// letters in any case, so %2f and %2F, or a key echoed lower-cased, are
// covered by the same forms.
func Forms(secret string) []string {
	if secret == "" {
		return nil
	}
	q := url.QueryEscape(secret)
	forms := []string{secret, q, url.PathEscape(secret), strings.ReplaceAll(q, "+", "%20"), quoteKeepingSlash(secret)}
	if js, err := json.Marshal(secret); err == nil {
		inner := string(js[1 : len(js)-1])
		forms = append(forms, inner)
		// PHP and others write / as \/
		forms = append(forms, strings.ReplaceAll(inner, "/", `\/`))
	}
	return append(forms, Base64Forms(secret)...)
}

// Base64Forms returns s in base64, standard and URL alphabets, padded and
// not (HTTP Basic credentials, the b64 and b64url template filters).
func Base64Forms(s string) []string {
	b := []byte(s)
	return []string{
		base64.StdEncoding.EncodeToString(b), base64.RawStdEncoding.EncodeToString(b),
		base64.URLEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b),
	}
}

// quoteKeepingSlash escapes s as Python's urllib.parse.quote does by
// default (every byte but letters, digits, "_.-~" and "/" as %XX), the
// usual way a Python plugin puts a key in a URL.
func quoteKeepingSlash(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_.-~/", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
