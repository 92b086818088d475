package lookup

import (
	"container/heap"
	"context"
	"sort"
	"testing"
	"time"
)

// fakeClock is a clock that moves only when the test moves it.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// rateEvent is one step of a simulated call: stage 0 takes a token from
// the bucket, stage 1 (once the bucket's wait is over) a window slot.
type rateEvent struct {
	at    time.Time
	seq   int
	stage int
}

type rateEvents []rateEvent

func (h rateEvents) Len() int { return len(h) }
func (h rateEvents) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h rateEvents) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *rateEvents) Push(x any)   { *h = append(*h, x.(rateEvent)) }
func (h *rateEvents) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// TestRateLimitNeverExceeded: the token bucket and the sliding window the
// engine builds from a provider's limits, driven by a fake clock. Callers
// arrive in bursts (as many goroutines asking at once); every caller waits
// what the bucket asks, then what the window asks, and starts. In no
// window of the nominal length do more than max(n, burst) calls start
// (docs/lookups.md, "Rate"), and the limiter does not hold calls back much
// beyond the rate.
func TestRateLimitNeverExceeded(t *testing.T) {
	tests := []struct {
		name   string
		limits Limits
		calls  int
		// arrivals: callers arriving every step (all at once when step is 0)
		step time.Duration
	}{
		{"200/s, all at once", Limits{PerSecond: 200, Concurrency: 32}, 2000, 0},
		{"200/s, one every ms", Limits{PerSecond: 200, Concurrency: 32}, 2000, time.Millisecond},
		{"5/s burst 10", Limits{PerSecond: 5, Burst: 10, Concurrency: 4}, 100, 0},
		{"100/min burst 4", Limits{PerMinute: 100, Burst: 4}, 350, 0},
		{"1.5/s", Limits{PerSecond: 1.5}, 20, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEngine([]ProviderSpec{{Name: "Limited", Limits: tt.limits}}, Options{})
			p := e.provs[0]
			if p.bucket == nil || p.window == nil {
				t.Fatalf("limits %+v built no bucket or window", tt.limits)
			}
			clk := &fakeClock{t: time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)}
			p.bucket.now, p.window.now = clk.now, clk.now
			// The window never sleeps here: with a context already ended
			// it returns the start it reserved (the slot stays taken, as
			// after a real wait).
			ended, cancel := context.WithCancel(context.Background())
			cancel()

			n, win := tt.limits.PerSecond, time.Second
			if n == 0 {
				n, win = tt.limits.PerMinute, time.Minute
			}
			most := max(int(n), tt.limits.Burst, 1)

			h := &rateEvents{}
			for i := 0; i < tt.calls; i++ {
				heap.Push(h, rateEvent{at: clk.t.Add(time.Duration(i) * tt.step), seq: i})
			}
			var starts []time.Time
			for h.Len() > 0 {
				ev := heap.Pop(h).(rateEvent)
				if ev.at.Before(clk.t) {
					t.Fatalf("event in the past")
				}
				clk.t = ev.at
				switch ev.stage {
				case 0:
					d := p.bucket.reserve()
					heap.Push(h, rateEvent{at: clk.t.Add(d), seq: ev.seq, stage: 1})
				case 1:
					_, at, _ := p.window.wait(ended, nil)
					if at.Before(clk.t) {
						t.Fatalf("call %d starts at %v, before now %v", ev.seq, at, clk.t)
					}
					starts = append(starts, at)
				}
			}
			if len(starts) != tt.calls {
				t.Fatalf("%d starts for %d calls", len(starts), tt.calls)
			}
			sortTimes(starts)
			for i := 0; i+most < len(starts); i++ {
				if span := starts[i+most].Sub(starts[i]); span < win {
					t.Fatalf("%d calls started within %v (from call %d), more than %d in a window of %v", most+1, span, i, most, win)
				}
			}
			// Not held back much: whole windows of `most` calls, each 2%
			// longer than nominal, or the bucket's rate after its burst,
			// plus one window and the arrivals' own spread.
			perCall := time.Duration(float64(win) / n)
			bound := max(time.Duration(tt.calls/most)*(win+win/50), time.Duration(tt.calls-max(tt.limits.Burst, 1))*perCall) +
				win + win/50 + time.Duration(tt.calls)*tt.step
			if took := starts[len(starts)-1].Sub(starts[0]); took > bound {
				t.Errorf("the last call started after %v, want at most %v", took, bound)
			}
		})
	}
}

func sortTimes(ts []time.Time) {
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
}

// TestWindowCountsFromTheEndOfALateCall: a call that reached the service
// late (its goroutine woke or sent after the planned start) moves its slot
// to when it was done, so the slot's next start is a window after the
// service saw it (acceptance audit: 214 calls in a sliding second under
// load).
func TestWindowCountsFromTheEndOfALateCall(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	w := newWindowLimiter(1, time.Second)
	w.now = clk.now
	slot, at, err := w.wait(context.Background(), nil)
	if err != nil || !at.Equal(clk.t) {
		t.Fatalf("first start %v %v", at, err)
	}
	clk.t = clk.t.Add(300 * time.Millisecond) // sent late, done now
	w.finish(slot, at)
	w.mu.Lock()
	next := w.starts[slot].Add(w.window)
	w.mu.Unlock()
	if want := at.Add(1300 * time.Millisecond); !next.Equal(want) {
		t.Errorf("next start allowed at %v, want %v", next, want)
	}
	// a start that took the slot since is left alone
	w.starts[slot] = at.Add(5 * time.Second)
	w.finish(slot, at)
	if !w.starts[slot].Equal(at.Add(5 * time.Second)) {
		t.Errorf("finish moved a later start: %v", w.starts[slot])
	}
}
