package feeds

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/msticgo/msticgo/internal/testcorpus"
)

// TestLOKIScores: in LOKI's C2 lists ("IP;SCORE" under a "# campaign link"
// header) the number is a score, not the description: the description is
// the header and the score is kept as "score" (in RawResult and, after the
// description, in Details). "HASH;SCORE;COMMENT" keeps its comment;
// "HASH;COMMENT" is unchanged.
func TestLOKIScores(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "c2.txt", "# Cleo Software Exploitation https://example.org/cleo\n176.123.5.126;65\n5.149.249.226;65\n# Other campaign\n45.9.9.9\n")
	write(t, dir, "h.txt", "d41d8cd98f00b204e9800998ecf8427e;55;Vulnerable Log4j library\n"+
		"0cc175b9c0f1b6a831c399e269772661;Plain comment 2019\n"+
		"92eb5ffee6ae2fec3ad71c777531578f;2019\n")
	p := newProv(t, map[string]string{"Files": "c2.txt;h.txt"}, dir)
	for _, c := range []struct {
		typ, v, info string
		score        int
	}{
		{"ipv4", "176.123.5.126", "Cleo Software Exploitation https://example.org/cleo", 65},
		{"ipv4", "5.149.249.226", "Cleo Software Exploitation https://example.org/cleo", 65},
		{"ipv4", "45.9.9.9", "Other campaign", 0},
		{"md5_hash", "d41d8cd98f00b204e9800998ecf8427e", "Vulnerable Log4j library", 55},
		{"md5_hash", "0cc175b9c0f1b6a831c399e269772661", "Plain comment 2019", 0},
		{"md5_hash", "92eb5ffee6ae2fec3ad71c777531578f", "2019", 0}, // not a score (above 100)
	} {
		r := look(p, c.typ, c.v)
		ms, _ := r.RawResult.(map[string]any)["matches"].([]any)
		if !r.Found || len(ms) != 1 {
			t.Errorf("%s: %+v", c.v, r)
			continue
		}
		m := ms[0].(map[string]any)
		score, _ := m["score"].(int64)
		if m["info"] != c.info || int(score) != c.score {
			t.Errorf("%s: info %q score %v, want %q %d", c.v, m["info"], m["score"], c.info, c.score)
		}
		d := fmt.Sprint(r.Details)
		if !strings.Contains(d, ": "+c.info) || (c.score > 0) != strings.Contains(d, fmt.Sprintf("(score %d)", c.score)) {
			t.Errorf("%s: details %q", c.v, d)
		}
	}

	// The corpus copy of LOKI's C2 list: line 1904 under the Cleo header.
	iocs := testcorpus.Path(t, "iocs")
	p = newProv(t, map[string]string{"Files": filepath.Join(iocs, "sigbase_c2-iocs.txt")}, "")
	r := look(p, "ipv4", "176.123.5.126")
	if d := fmt.Sprint(r.Details); !r.Found || !strings.Contains(d, ":1904: Cleo Software Exploitation https://www.huntress.com/") || !strings.HasSuffix(d, "(score 65)") {
		t.Errorf("corpus: %+v", r)
	}
}
