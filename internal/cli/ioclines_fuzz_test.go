package cli

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzReadLines: the stdin of `ioc classify`. Every line kept is one
// non-blank line of the input, without its line break or a trailing \r.
func FuzzReadLines(f *testing.F) {
	for _, s := range []string{"8.8.8.8\r\nevil[.]example\n\n  \t\nhxxp://x.example/a\r", "\xef\xbb\xbfa\r\r\nb", "", "\n\n", "no newline", "a\x00b\n\xff\xfe\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		lines, err := readLines(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("error on %d bytes: %v", len(b), err) // lines are at most 16 MiB; inputs here are smaller
		}
		if len(lines) > bytes.Count(b, []byte("\n"))+1 {
			t.Fatalf("%d lines from %d line breaks", len(lines), bytes.Count(b, []byte("\n")))
		}
		for _, l := range lines {
			if strings.TrimSpace(l) == "" || strings.Contains(l, "\n") || strings.HasSuffix(l, "\r") {
				t.Fatalf("line %q", l)
			}
			if !bytes.Contains(b, []byte(l)) {
				t.Fatalf("line %q is not in the input", l)
			}
		}
	})
}
