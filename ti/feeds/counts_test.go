package feeds

import (
	"path/filepath"
	"testing"
)

// TestSourceCountsDistinct: a source's counts are of distinct values: the
// same hash on two lines (LOKI lists repeat hashes with other comments),
// in two letter cases, or the same network twice, counts once; both lines
// still match.
func TestSourceCountsDistinct(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "h.txt", "d41d8cd98f00b204e9800998ecf8427e;first\nD41D8CD98F00B204E9800998ECF8427E;second\n0cc175b9c0f1b6a831c399e269772661;other\n"+
		"1.2.3.4;a\n1.2.3.4;b\n198.51.0.0/16;n\n198.51.0.0/16;n2\nevil.example.com;x\nEVIL.example.com;y\n")
	write(t, dir, "again.txt", "d41d8cd98f00b204e9800998ecf8427e\n")
	p := newProv(t, map[string]string{"Files": "h.txt;again.txt"}, dir)
	for _, st := range p.SourceStats() {
		want := map[string]int{"md5_hash": 2, "ipv4": 1, "ipv4_cidr": 1, "dns": 1}
		total := 5
		if st.Source != filepath.Join(dir, "h.txt") {
			want, total = map[string]int{"md5_hash": 1}, 1 // another source: counted there too
		}
		if st.Total != total || len(st.Counts) != len(want) {
			t.Errorf("%s: total %d counts %v, want %d %v", st.Source, st.Total, st.Counts, total, want)
			continue
		}
		for k, n := range want {
			if st.Counts[k] != n {
				t.Errorf("%s: %s %d, want %d", st.Source, k, st.Counts[k], n)
			}
		}
	}
	r := look(p, "md5_hash", "d41d8cd98f00b204e9800998ecf8427e")
	if ms, _ := r.RawResult.(map[string]any)["matches"].([]any); !r.Found || len(ms) != 3 {
		t.Errorf("every line still matches: %+v", r)
	}
}
