package table

import (
	"strings"
	"testing"
)

// With the default width a single token (a SHA-256, a URL) is not cut;
// text with spaces still is, and an explicit --max-width cuts everything.
func TestNewUserTokensNotCut(t *testing.T) {
	sha := "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	url := "https://softupdates.info/downloads/2026/11/update-package-x64-signed.bin?id=1"
	text := strings.Repeat("word ", 20)
	long := strings.Repeat("x", TokenMaxWidth+1)
	f := NewStrings("Value")
	f.Append(sha)
	f.Append(url)
	f.Append(text)
	f.Append(long)
	out := write(t, f, FormatTable, Options{})
	for _, whole := range []string{sha, url} {
		if !strings.Contains(out, whole+"\n") && !strings.Contains(out, whole+" ") {
			t.Errorf("%q cut:\n%s", whole, out)
		}
	}
	if strings.Contains(out, strings.TrimSpace(text)) || strings.Contains(out, long) {
		t.Errorf("text with spaces or a token past %d not cut:\n%s", TokenMaxWidth, out)
	}
	if cut := write(t, f, FormatTable, Options{MaxWidth: 60}); strings.Contains(cut, sha) {
		t.Errorf("explicit width 60 kept the hash:\n%s", cut)
	}
}
