package exec

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// reacting stands for a plugin's stdin: each request runs react (the
// plugin writing to stderr as it starts working on it).
type reacting struct{ react func() }

func (r reacting) Write(b []byte) (int, error) { r.react(); return len(b), nil }
func (reacting) Close() error                  { return nil }

// TestCrashQuotesStderrSinceLastAnswer: in a batch call, a process that
// dies after answering some items quotes only the stderr read after its
// last answer, not the earlier items' (their tracebacks are in the log);
// with none, what it wrote during the call; never earlier calls' lines.
func TestCrashQuotesStderrSinceLastAnswer(t *testing.T) {
	tests := []struct {
		name    string
		before  string // stderr before the call
		during  string // stderr before the first answer
		after   string // stderr after it, then the process exits
		answers int
		want    []string
	}{
		{"no answer yet", "old\n", "tb 1\n", "dying\n", 0, []string{"tb 1", "dying"}},
		{"after an answer", "old\n", "tb 1\n", "dying\n", 1, []string{"dying"}},
		{"unfinished line", "old\n", "tb 1\n", "dying", 1, []string{"dying"}},
		// nothing read after the answer (the pipes race): all of the call's
		{"nothing after", "old\n", "tb 1\n", "", 1, []string{"tb 1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan struct{})
			close(done)
			tail := &stderrTail{max: 20, scrub: &scrubber{}}
			lines := make(chan lineMsg, 4)
			react := func() {
				_, _ = tail.Write([]byte(tc.during))
				if tc.answers == 0 {
					_, _ = tail.Write([]byte(tc.after))
					close(lines)
					return
				}
				lines <- lineMsg{line: []byte(`{"jsonrpc":"2.0","method":"lookup/result","params":{"request_id":2,"result":{"id":"0","status":"found"}}}` + "\n")}
			}
			p := &proc{name: "P", stdin: reacting{react}, lines: lines, done: done,
				waitErr: errors.New("exit status 3"), tail: tail, log: slog.New(slog.DiscardHandler), nextID: 1}
			_, _ = tail.Write([]byte(tc.before))
			onNote := func(int64, string, json.RawMessage) error {
				_, _ = tail.Write([]byte(tc.after))
				close(lines)
				return nil
			}
			_, err := p.call(context.Background(), MethodLookup, map[string]any{}, onNote, time.Second)
			var ce *CrashError
			if !errors.As(err, &ce) {
				t.Fatalf("err %v; want a CrashError", err)
			}
			if strings.Join(ce.Stderr, "|") != strings.Join(tc.want, "|") {
				t.Errorf("stderr quoted %q; want %q", ce.Stderr, tc.want)
			}
		})
	}
}
