package lookup

import (
	"context"
	"sync"
	"time"
)

// tokenBucket is a token bucket (rate tokens per second, up to burst,
// full at the start) whose tokens can be given back: a call that never
// left the machine (no connection was made) does not use the rate.
type tokenBucket struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
	now    func() time.Time // the clock (tests set a fake one)
}

func newTokenBucket(perSecond float64, burst int) *tokenBucket {
	return &tokenBucket{rate: perSecond, burst: float64(burst), tokens: float64(burst), now: time.Now}
}

func (b *tokenBucket) advance(now time.Time) {
	if !b.last.IsZero() && now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	if now.After(b.last) {
		b.last = now
	}
}

// reserve takes one token and returns how long to wait before using it.
func (b *tokenBucket) reserve() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advance(b.now())
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// refund gives a token back (never above burst).
func (b *tokenBucket) refund() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advance(b.now())
	b.tokens = min(b.burst, b.tokens+1)
}

// wait takes a token and waits for it; on cancellation the token is given
// back. notice is called with the wait when there is one.
func (b *tokenBucket) wait(ctx context.Context, notice func(time.Duration)) error {
	d := b.reserve()
	if d > 0 && notice != nil {
		notice(d)
	}
	if !sleep(ctx, d) {
		b.refund()
		return ctx.Err()
	}
	return nil
}
