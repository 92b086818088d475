package feeds

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/msticgo/msticgo/lookup"
)

// TestNoIndicatorIsNotConfigured: an entry whose feed files hold no
// indicator at all (garbage, prose, an empty file, beside missing ones) is
// not an empty feed that answers "Not found." for every value: New fails,
// so the entry is not configured, the reason naming each file.
func TestNoIndicatorIsNotConfigured(t *testing.T) {
	for _, c := range []struct {
		files string
		want  []string
	}{
		{"garbage.json;nothere.txt", []string{"no feed source loaded: ", "garbage.json: line 1: invalid JSON", "nothere.txt: no such file"}},
		{"prose.txt", []string{"no feed source loaded: ", "prose.txt: no indicator in it: 2 entries skipped (first: line 1: "}},
		{"empty.txt", []string{"no feed indicator loaded: ", "empty.txt: no indicator in it"}},
		{"empty.txt;prose.txt;nothere.txt", []string{"no feed indicator loaded: ", "empty.txt: no indicator in it", "prose.txt: no indicator in it: 2 entries", "nothere.txt: no such file"}},
	} {
		t.Run(c.files, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "garbage.json", "this is {not json\n")
			write(t, dir, "prose.txt", "Nothing to see here\nat all\n")
			write(t, dir, "empty.txt", "")
			s, err := ParseSettings(map[string]string{"Files": c.files}, dir)
			if err != nil {
				t.Fatal(err)
			}
			_, err = New(context.Background(), "Feeds", s, nil)
			if err == nil {
				t.Fatal("New succeeded with no feed indicator loaded")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

// TestSourceWithOnlySkippedEntries: beside a feed that loads, a file whose
// every line was skipped is reported as not loaded (in its stats, the log
// line and the "not found" note), not as "loaded: 0 indicators".
func TestSourceWithOnlySkippedEntries(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "good.txt", "1.2.3.4\n")
	write(t, dir, "prose.txt", "hello\n")
	write(t, dir, "empty.txt", "")
	logs := &logCounter{}
	s, err := ParseSettings(map[string]string{"Files": "good.txt;prose.txt;empty.txt", "Reload": "off"}, dir)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(context.Background(), "Feeds", s, slog.New(logs))
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range p.SourceStats() {
		switch filepath.Base(st.Source) {
		case "prose.txt":
			if st.Error != filepath.Join(dir, "prose.txt")+`: no indicator in it: 1 entry skipped (first: line 1: "hello" is not an indicator)` {
				t.Errorf("prose.txt: %+v", st)
			}
		case "empty.txt", "good.txt":
			if st.Error != "" {
				t.Errorf("%s: %+v", st.Source, st)
			}
		}
	}
	if got := logs.matching("not loaded"); len(got) != 1 || !strings.Contains(got[0], "1 of 3 feed sources not loaded") {
		t.Errorf("log %q", got)
	}
	r := look(p, "ipv4", "5.6.7.8")
	if want := "Not found. 1 of 3 feed sources did not load (" + filepath.Join(dir, "prose.txt") + ")."; r.Status != lookup.StatusNotFound || fmt.Sprint(r.Details) != want {
		t.Errorf("miss: %+v, want %q", r, want)
	}
}
