package feeds

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/msticgo/msticgo/internal/testcorpus"
)

// TestPlainListTextLines: a plain-list line that is not itself an
// indicator yields the indicators package ioc finds in it (IoC write-ups:
// "- 50pm4[.]com - 82.146.46[.]29", "- HASH  name.doc"), described by the
// rest of the line; a URL's host is not listed on its own. LOKI lines,
// CSV rows and lists with a forced Type are not read this way.
func TestPlainListTextLines(t *testing.T) {
	const h = "af813ed15599eb9b301b052ea01c7da8ca49543646e1a6831c97f0b0d3a94b20"
	long := "- 1.2.3.9 " + strings.Repeat("é", 150)
	for _, c := range []struct {
		name, file, body string
		args             map[string]string
		found            [][3]string // type, value, info in Details
		missing          [][2]string
		format           string
		skipped          int
	}{
		{name: "write-up", file: "w.txt",
			body: "TA551 WORD DOCS:\n\n- " + h + "  adjure-07.07.2020.doc\n- 50pm4[.]com - 82.146.46[.]29\n- hxxp://82.146.44[.]82/x.rar\n# Campaign X\n- 194.87.111[.]203 port 80\nGET /iz5/yaca.php?l=tze1.cab\n",
			found: [][3]string{
				{"sha256_hash", h, "w.txt:3: adjure-07.07.2020.doc"},
				{"dns", "50pm4.com", "w.txt:4"},
				{"ipv4", "82.146.46.29", "w.txt:4"},
				{"url", "http://82.146.44.82/x.rar", "w.txt:5"},
				{"ipv4", "194.87.111.203", "w.txt:7: Campaign X: port 80"},
			},
			missing: [][2]string{{"ipv4", "82.146.44.82"}, {"dns", "tze1.cab"}},
			format:  "plain; indicators found in 4 lines of text", skipped: 2},
		{name: "loki line not read as text", file: "l.txt",
			body:    "see evil-loki.com for more;a comment\n" + h + ";hash comment\n",
			found:   [][3]string{{"sha256_hash", h, "hash comment"}},
			missing: [][2]string{{"dns", "evil-loki.com"}},
			format:  "loki", skipped: 1},
		{name: "csv row not read as text", file: "c.csv",
			body:    "indicator,comment\nsee 5.6.7.8 here,x\n" + h + ",y\n",
			found:   [][3]string{{"sha256_hash", h, "y"}},
			missing: [][2]string{{"ipv4", "5.6.7.8"}},
			format:  "csv", skipped: 1},
		{name: "forced type", file: "t.txt", args: map[string]string{"Type": "ipv4"},
			body:    "1.2.3.4\n- 5.6.7.8 x\n",
			found:   [][3]string{{"ipv4", "1.2.3.4", "t.txt:1"}},
			missing: [][2]string{{"ipv4", "5.6.7.8"}},
			format:  "plain", skipped: 1},
		{name: "long description", file: "u.txt", body: long + "\n",
			found:  [][3]string{{"ipv4", "1.2.3.9", "u.txt:1: éé"}},
			format: "plain; indicators found in 1 line of text"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, c.file, c.body)
			args := map[string]string{"Files": c.file}
			for k, v := range c.args {
				args[k] = v
			}
			p := newProv(t, args, dir)
			st := p.SourceStats()
			if len(st) != 1 || st[0].Error != "" || st[0].Format != c.format || st[0].Skipped != c.skipped {
				t.Fatalf("stats %+v, want format %q, %d skipped", st, c.format, c.skipped)
			}
			for _, f := range c.found {
				r := look(p, f[0], f[1])
				d := fmt.Sprint(r.Details)
				if !r.Found || !strings.Contains(d, f[2]) || !utf8.ValidString(d) {
					t.Errorf("%s %s: found %v, details %q, want %q in them", f[0], f[1], r.Found, d, f[2])
				}
			}
			for _, m := range c.missing {
				if r := look(p, m[0], m[1]); r.Found {
					t.Errorf("%s %s found: %v", m[0], m[1], r.Details)
				}
			}
		})
	}
}

// TestCorpusWriteUp: Unit 42's TA551 write-up (prose with defanged
// indicators in "- ..." lines) loads its hashes, domains and addresses;
// before, every line was skipped and the file held 0 indicators.
func TestCorpusWriteUp(t *testing.T) {
	f := testcorpus.Path(t, "iocs", "unit42_TA551_2020-07-07_Ursnif_IcedID.txt")
	p := newProv(t, map[string]string{"Files": f}, "")
	st := p.SourceStats()
	if len(st) != 1 || st[0].Error != "" || st[0].Total < 110 || st[0].Counts["sha256_hash"] < 100 || st[0].Counts["dns"] != 10 {
		t.Fatalf("stats %+v", st)
	}
	for _, v := range [][2]string{{"dns", "50pm4.com"}, {"ipv4", "82.146.46.29"}, {"ipv4", "91.245.227.46"}, {"sha256_hash", "1f86515a5ac2ced199ee773dacf532a6a5d7f3c4704cecdbaf2659c4f4b5e909"}} {
		if r := look(p, v[0], v[1]); !r.Found {
			t.Errorf("%s not found: %v", v[1], r.Details)
		}
	}
}
