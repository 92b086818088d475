package feeds

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// levelLog records each log line's level and message.
type levelLog struct {
	mu    sync.Mutex
	lines map[string]slog.Level
}

func (l *levelLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *levelLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *levelLog) WithGroup(string) slog.Handler            { return l }
func (l *levelLog) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lines == nil {
		l.lines = map[string]slog.Level{}
	}
	l.lines[r.Message] = r.Level
	return nil
}

// TestLogLevels: a source that loaded with skipped entries is a note
// (INFO, one line per source); sources that did not load are a warning.
func TestLogLevels(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "good.txt", "1.2.3.4\nHeading\n")
	logs := &levelLog{}
	s, err := ParseSettings(map[string]string{"Files": "good.txt;nothere.txt", "Reload": "off"}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(context.Background(), "Feeds", s, slog.New(logs)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		msg  string
		want slog.Level
	}{
		{"feed entries skipped", slog.LevelInfo},
		{"1 of 2 feed sources not loaded", slog.LevelWarn},
	} {
		found := false
		for m, lv := range logs.lines {
			if strings.HasPrefix(m, c.msg) {
				found = true
				if lv != c.want {
					t.Errorf("%q logged at %v, want %v", m, lv, c.want)
				}
			}
		}
		if !found {
			t.Errorf("no %q line in %v", c.msg, logs.lines)
		}
	}
}
