package feeds

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestDetailsStayUTF8: a long description (a comment line) is shortened
// in Details at a character boundary, never inside one.
func TestDetailsStayUTF8(t *testing.T) {
	for _, c := range []struct{ name, comment string }{
		{"two-byte", strings.Repeat("é", 60)},
		{"three-byte", "x" + strings.Repeat("€", 40)},
		{"four-byte", "xy" + strings.Repeat("😀", 30)},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "f.txt", "# "+c.comment+"\n1.2.3.4\n")
			p := newProv(t, map[string]string{"Files": "f.txt"}, dir)
			r := look(p, "ipv4", "1.2.3.4")
			d := fmt.Sprint(r.Details)
			if !r.Found || !utf8.ValidString(d) || !strings.HasSuffix(d, "...") {
				t.Errorf("details %q", d)
			}
		})
	}
}
