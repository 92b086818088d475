package exec

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// TestScrubberEncodedForms: what a plugin sends back is scrubbed of its
// secrets in the forms a plugin may write them: case changed, base64
// (standard and URL, padded or not), URL-escaped in either hex case, and
// JSON-escaped; in text, in decoded values and in map keys.
func TestScrubberEncodedForms(t *testing.T) {
	const key = "S3cr/t+Key=Value!"
	b := []byte(key)
	tests := []struct{ name, form string }{
		{"raw", key},
		{"lower-cased", strings.ToLower(key)},
		{"base64", base64.StdEncoding.EncodeToString(b)},
		{"base64 unpadded", base64.RawStdEncoding.EncodeToString(b)},
		{"base64url", base64.URLEncoding.EncodeToString(b)},
		{"base64url unpadded", base64.RawURLEncoding.EncodeToString(b)},
		{"query escape", url.QueryEscape(key)},
		{"query escape lower hex", strings.ToLower(url.QueryEscape(key))},
		{"path escape", url.PathEscape(key)},
		{"JSON slash escape", strings.ReplaceAll(key, "/", `\/`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := &scrubber{secrets: []string{key}}
			if got := sc.clean("bad key " + tt.form + " here"); got != "bad key *** here" {
				t.Errorf("clean = %q", got)
			}
			v := sc.cleanValue(map[string]any{tt.form: []any{"b64 " + tt.form}})
			if got := fmt.Sprint(v); got != "map[***:[b64 ***]]" {
				t.Errorf("cleanValue = %s", got)
			}
		})
	}
}
