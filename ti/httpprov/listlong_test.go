package httpprov

import (
	"strings"
	"testing"
)

// TestParseListLongLine: a line longer than any scanner buffer does not
// end the list: the entries after it are still read.
func TestParseListLongLine(t *testing.T) {
	body := "1.2.3.4\n" + strings.Repeat("x", 2<<20) + "\n5.6.7.8\n"
	got := parseList([]byte(body), ListSource{Format: "lines"}, "ip")
	for _, ip := range []string{"1.2.3.4", "5.6.7.8"} {
		if _, ok := got[ip]; !ok {
			t.Errorf("%s missing after a 2 MiB line: %v", ip, len(got))
		}
	}
}
