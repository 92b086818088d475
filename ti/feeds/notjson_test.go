package feeds

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestJSONNamedFileThatIsNotJSON: a feed file named *.json whose content
// is not JSON (an HTML error page, a truncated download) fails to load
// with "invalid JSON" and its line, as a bad STIX or MISP file does; it is
// not read as a plain list of zero indicators. The other sources load.
func TestJSONNamedFileThatIsNotJSON(t *testing.T) {
	for _, c := range []struct {
		name, body, want string
	}{
		{"garbage.json", "this is {not json\n", "line 1: invalid JSON"},
		{"html.json", "<html>oops</html>\n", "line 1: invalid JSON"},
		{"upper.JSON", "1.2.3.4\n", "line 1: invalid JSON"},
		{"empty.json", "", "invalid JSON"},
		{"bom.json", "\ufeff\n\nnot json", "invalid JSON"},
		{"brace.json", "{\"EventID\": 10}\n{broken\n", "line 2: invalid JSON"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "good.txt", "1.2.3.4\n")
			write(t, dir, c.name, c.body)
			p := newProv(t, map[string]string{"Files": "good.txt;" + c.name}, dir)
			var got string
			for _, st := range p.SourceStats() {
				if filepath.Base(st.Source) == c.name {
					got = st.Error
				}
			}
			if !strings.HasPrefix(got, filepath.Join(dir, c.name)+": ") || !strings.Contains(got, c.want) {
				t.Errorf("error %q, want it to name the file and contain %q", got, c.want)
			}
			if r := look(p, "ipv4", "1.2.3.4"); !r.Found {
				t.Errorf("good source not loaded beside %s", c.name)
			}
		})
	}
}
