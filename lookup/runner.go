package lookup

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// provRun is the runtime state of one provider entry: its effective limits,
// limiters, daily quota and pause (after a Retry-After). It lives as long
// as the Engine, so limits hold across calls.
type provRun struct {
	spec      ProviderSpec
	opts      *Options
	lim       Limits
	bucket    *tokenBucket // smoothing: n per window, burst b
	window    *windowLimiter
	quota     *quota
	supported map[string]bool // nil = every type
	batch     BatchProvider   // nil = one item per call

	pauseMu     sync.Mutex
	pausedUntil time.Time
}

type runStats struct {
	calls     int
	cacheHits int
}

func newProvRun(spec ProviderSpec, opts *Options) *provRun {
	p := &provRun{spec: spec, opts: opts}
	p.lim = effectiveLimits(spec, opts)
	n, win := 0.0, time.Duration(0)
	switch {
	case p.lim.PerSecond > 0:
		n, win = p.lim.PerSecond, time.Second
	case p.lim.PerMinute > 0:
		n, win = p.lim.PerMinute, time.Minute
	}
	if n > 0 {
		burst := p.lim.Burst
		if burst < 1 {
			burst = 1
		}
		p.bucket = newTokenBucket(n/win.Seconds(), burst)
		if n >= 1 {
			// Strict guarantee: never more than n calls start in any window.
			// A 2% margin absorbs jitter between here and the server (client
			// scheduling, connection reuse, the network).
			// The declared burst may exceed n: then up to burst calls may
			// start in one window (the token bucket still holds the rate).
			p.window = newWindowLimiter(max(int(n), burst), win+win/50)
		}
	}
	p.quota = newQuota(spec.quotaID(), p.lim.DailyQuota, opts.QuotaDir, opts.Now)
	if spec.Provider != nil {
		// No types listed (nil or empty) means every type.
		if ts, ok := spec.Provider.(TypeSupporter); ok && len(ts.SupportedTypes()) > 0 {
			p.supported = map[string]bool{}
			for _, t := range ts.SupportedTypes() {
				t, _, _ = strings.Cut(strings.ToLower(strings.TrimSpace(t)), "-")
				p.supported[t] = true
			}
		}
		if bp, ok := spec.Provider.(BatchProvider); ok && p.lim.MaxBatch > 1 {
			p.batch = bp
		}
	}
	return p
}

// effectiveLimits merges the provider's declared limits, the entry's
// overrides (non-zero fields win) and the engine defaults.
func effectiveLimits(spec ProviderSpec, opts *Options) Limits {
	var l Limits
	if lp, ok := spec.Provider.(Limiter); ok && spec.Provider != nil {
		l = lp.Limits()
	}
	return mergeLimits(l, spec.Limits, opts)
}

// EntryLimits is what EffectiveLimits would give for spec with a provider
// declaring the limits declared, under the default Options: for listing
// an entry that is not configured (it has no instance to ask), since its
// limits do not depend on a missing key.
func EntryLimits(declared Limits, spec ProviderSpec) Limits {
	return mergeLimits(declared, spec.Limits, &Options{DefaultTimeout: DefaultTimeout,
		DefaultConcurrency: DefaultConcurrency, DefaultRetries: DefaultRetries})
}

// mergeLimits lays the entry's overrides o (non-zero fields win) over the
// declared limits l, then fills what is still unset from opts.
func mergeLimits(l, o Limits, opts *Options) Limits {
	if o.Concurrency != 0 {
		l.Concurrency = o.Concurrency
	}
	if o.PerSecond != 0 || o.PerMinute != 0 {
		l.PerSecond, l.PerMinute = o.PerSecond, o.PerMinute
	}
	if o.Burst != 0 {
		l.Burst = o.Burst
	}
	if o.DailyQuota != 0 {
		l.DailyQuota = o.DailyQuota
	}
	if o.Timeout != 0 {
		l.Timeout = o.Timeout
	}
	if o.MaxBatch != 0 {
		l.MaxBatch = o.MaxBatch
	}
	if o.Retries != 0 {
		l.Retries = o.Retries
	}
	if l.Concurrency <= 0 {
		l.Concurrency = opts.DefaultConcurrency
	}
	if l.Timeout <= 0 {
		l.Timeout = opts.DefaultTimeout
	}
	switch {
	case l.Retries == 0:
		l.Retries = opts.DefaultRetries
	}
	if l.Retries < 0 {
		l.Retries = 0
	}
	return l
}

// EffectiveLimits returns the limits the engine applies to an entry.
func (e *Engine) EffectiveLimits(name string) (Limits, bool) {
	for _, p := range e.provs {
		if strings.EqualFold(p.spec.Name, name) {
			return p.lim, true
		}
	}
	return Limits{}, false
}

func (p *provRun) supports(it Item) bool {
	if it.Type == "" || it.Type == "unknown" {
		return false
	}
	if p.supported == nil {
		return true
	}
	if p.supported[it.Type] {
		return true
	}
	return strings.HasSuffix(it.Type, "_hash") && p.supported["file_hash"]
}

type job struct {
	item Item
	key  string
	idx  []int
}

func (p *provRun) run(ctx context.Context, pi int, mode Mode, prepared []Prepared, out func(Row)) runStats {
	var st runStats
	emit := func(i int, res Result, cached bool) {
		out(Row{Index: i, ProviderIndex: pi, Provider: p.spec.Name, Item: prepared[i].Item, Result: res, Cached: cached})
	}
	// An input that would never be sent (invalid, or not routable in TI
	// mode) says so whatever the provider's configuration.
	notConfigured := ""
	if p.spec.NotConfigured != "" || p.spec.Provider == nil {
		notConfigured = p.spec.NotConfigured
		if notConfigured == "" {
			notConfigured = "no provider instance"
		}
	}
	var jobs []*job
	byKey := map[string]*job{}
	for i, pr := range prepared {
		if mode == ModeContext {
			pr.Item = p.contextItem(pr.Item)
		}
		switch {
		case pr.Check == CheckInvalid:
			emit(i, Result{Status: StatusInvalid, Severity: SevUnknown, Message: pr.Reason}, false)
		case pr.Check == CheckNotRoutable && mode == ModeTI:
			emit(i, Result{Status: StatusNotRoutable, Severity: SevUnknown, Message: pr.Reason}, false)
		case notConfigured != "":
			emit(i, Result{Status: StatusNotConfigured, Severity: SevUnknown, Message: "not configured: " + notConfigured}, false)
		case !p.supports(pr.Item):
			msg := notSupportedMessage(pr.Item.Type)
			if pr.Item.Type == "unknown" && pr.Reason != "" {
				// say why no type was inferred (MSTICPy's text, then the reason)
				msg += " " + strings.ToUpper(pr.Reason[:1]) + pr.Reason[1:] + "."
			}
			emit(i, Result{Status: StatusUnsupported, Severity: SevUnknown, Message: msg}, false)
		default:
			k := cacheKey(pr.Item)
			if j, ok := byKey[k]; ok {
				j.idx = append(j.idx, i)
				continue
			}
			j := &job{item: pr.Item, key: k, idx: []int{i}}
			byKey[k] = j
			jobs = append(jobs, j)
		}
	}
	cache := p.opts.Cache
	if uncached(p.spec.Provider) {
		cache = nil // answers from local data: never cached
	}
	cacheID := p.spec.cacheID()
	pending := jobs[:0]
	for _, j := range jobs {
		if cache != nil {
			if res, ok := cache.Get(cacheID, j.key); ok {
				st.cacheHits++
				for _, i := range j.idx {
					emit(i, res, true)
				}
				continue
			}
		}
		pending = append(pending, j)
	}
	if len(pending) == 0 {
		return st
	}
	size := 1
	if p.batch != nil {
		size = p.lim.MaxBatch
	}
	var units [][]*job
	for len(pending) > 0 {
		n := min(size, len(pending))
		units = append(units, pending[:n:n])
		pending = pending[n:]
	}
	rs := &runState{}
	rs.left.Store(int64(len(units)))
	var calls atomic.Int64
	workers := min(p.lim.Concurrency, len(units))
	ch := make(chan []*job)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			items := make([]Item, 0, size)
			for u := range ch {
				items = items[:0]
				for _, j := range u {
					items = append(items, j.item)
				}
				results := p.do(ctx, items, &calls, rs)
				for k, j := range u {
					res := results[k]
					if res.Status.OK() && cache != nil {
						cache.Put(cacheID, j.key, res)
					}
					for _, i := range j.idx {
						emit(i, res, false)
					}
				}
			}
		}()
	}
	for _, u := range units {
		ch <- u
	}
	close(ch)
	wg.Wait()
	st.calls = int(calls.Load())
	return st
}

// runState is what the units of one provider share during one run.
type runState struct {
	left   atomic.Int64 // units not started yet
	notice sync.Once    // the slow-rate line, at most once per run
}

// slowRateNotice is the expected wait on a rate limit above which a run
// says so (once per provider and run) on the logger.
const slowRateNotice = 10 * time.Second

// noticeSlowRate logs one line when the rate limit makes the calls still
// to make wait long, so a run that seems stuck is explained even when no
// progress bar is drawn (stderr not a terminal). It is called at the first
// wait on the rate limit: calls that never connect give their turn back
// and do not wait.
func (p *provRun) noticeSlowRate(calls int) {
	perSec, rateText := p.lim.PerSecond, fmt.Sprintf("%g/s", p.lim.PerSecond)
	if perSec <= 0 && p.lim.PerMinute > 0 {
		perSec, rateText = p.lim.PerMinute/60, fmt.Sprintf("%g/min", p.lim.PerMinute)
	}
	if perSec <= 0 || calls <= 0 {
		return
	}
	d := time.Duration(float64(calls) / perSec * float64(time.Second))
	if d < slowRateNotice {
		return
	}
	what := fmt.Sprintf("the %d calls left take", calls)
	if calls == 1 {
		what = "the last call takes"
	}
	p.opts.Logger.Info(fmt.Sprintf("%s: waiting for its rate limit of %s: %s about %s (RateLimit in its config entry changes the limit)",
		p.spec.Name, rateText, what, d.Round(time.Second)))
}

func retryable(r Result) bool {
	return r.Status == StatusRateLimited || (r.Status == StatusProviderError && r.Retryable)
}

// do runs one unit (one item, or one batch) with the rate limits, the
// daily quota, the per-call timeout and retries.
func (p *provRun) do(ctx context.Context, items []Item, calls *atomic.Int64, rs *runState) []Result {
	rs.left.Add(-1)
	results := make([]Result, len(items))
	todo := make([]int, len(items))
	for i := range todo {
		todo[i] = i
	}
	fill := func(idx []int, r Result) {
		for _, i := range idx {
			results[i] = r
		}
	}
	for attempt := 0; ; attempt++ {
		if !p.quota.take() {
			fill(todo, Result{Status: StatusRateLimited, Severity: SevUnknown,
				Message: fmt.Sprintf("daily quota of %d requests reached for %s", p.lim.DailyQuota, p.spec.Name)})
			return results
		}
		tn, err := p.waitTurn(ctx, rs)
		if err != nil {
			p.quota.refund()
			for _, i := range todo {
				results[i] = interrupted(results[i], attempt, "before", err)
			}
			return results
		}
		sub := items
		if len(todo) != len(items) {
			sub = make([]Item, len(todo))
			for k, i := range todo {
				sub[k] = items[i]
			}
		}
		calls.Add(1)
		got := p.call(ctx, sub)
		notSent := len(got) > 0
		for _, r := range got {
			notSent = notSent && r.NotSent
		}
		if notSent {
			// no request left the machine: it spends neither the quota
			// nor the rate
			p.quota.refund()
			p.giveBack(tn)
		} else if tn.slot >= 0 && p.window != nil {
			// The request reached the service at some moment between the
			// planned start and now; counting the slot's window from now
			// keeps two starts of one slot a window apart at the service
			// too, however late this goroutine woke or sent.
			p.window.finish(tn.slot, tn.at)
		}
		var again []int
		var wait time.Duration
		for k, r := range got {
			if attempt > 0 && ctx.Err() != nil && !r.Status.OK() {
				// interrupted during a retry: keep the real error
				results[todo[k]] = interrupted(results[todo[k]], attempt, "during", ctx.Err())
				continue
			}
			results[todo[k]] = r
			if retryable(r) {
				again = append(again, todo[k])
				wait = max(wait, r.RetryAfter)
			}
		}
		if len(again) == 0 {
			return results
		}
		if attempt >= p.lim.Retries {
			for _, i := range again {
				results[i].Message = appendMsg(results[i].Message, fmt.Sprintf("gave up after %d attempts", attempt+1))
			}
			return results
		}
		if wait > p.opts.MaxRetryAfter {
			for _, i := range again {
				results[i].Message = appendMsg(results[i].Message,
					fmt.Sprintf("provider asked to wait %s, more than the %s cap", wait.Round(time.Second), p.opts.MaxRetryAfter))
			}
			return results
		}
		if wait > 0 {
			p.pause(time.Now().Add(wait))
		}
		wait = max(wait, p.backoff(attempt))
		if !p.opts.wait(ctx, wait, "retry") {
			for _, i := range again {
				results[i] = interrupted(results[i], attempt+1, "before", ctx.Err())
			}
			return results
		}
		todo = again
	}
}

func appendMsg(msg, more string) string {
	if msg == "" {
		return more
	}
	return msg + "; " + more
}

// interrupted is the result of an item whose run was stopped (ctx done)
// before its next call: status timeout, and the last real error kept when
// there was an earlier attempt. It never shows Go's "context canceled".
func interrupted(last Result, attempt int, when string, err error) Result {
	what := stopReason(err)
	if attempt == 0 {
		return Result{Status: StatusTimeout, Severity: SevUnknown, Message: what + " " + when + " the call"}
	}
	last.Message = appendMsg(last.Message, fmt.Sprintf("%s %s retry %d", what, when, attempt))
	last.Retryable = false
	return last
}

// stopReason says why a run stopped in words: "interrupted" (cancelled,
// e.g. Ctrl-C) or "the run's deadline passed".
func stopReason(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "the run's deadline passed"
	}
	return "interrupted"
}

// backoff is exponential with full jitter: a random wait in
// [base*2^attempt/2, base*2^attempt], at most BackoffMax.
func (p *provRun) backoff(attempt int) time.Duration {
	d := p.opts.BackoffBase << min(attempt, 20)
	if d > p.opts.BackoffMax || d <= 0 {
		d = p.opts.BackoffMax
	}
	half := d / 2
	return half + rand.N(half+1)
}

func (p *provRun) pause(until time.Time) {
	p.pauseMu.Lock()
	if until.After(p.pausedUntil) {
		p.pausedUntil = until
	}
	p.pauseMu.Unlock()
}

// turn is what waitTurn took from the rate limits, to give back when the
// call never left the machine.
type turn struct {
	bucket bool
	slot   int // window slot, -1 for none
	at     time.Time
}

// waitTurn waits out a provider-wide pause, then the rate limits. The
// first wait on the rate limit in a run logs the slow-rate notice.
func (p *provRun) waitTurn(ctx context.Context, rs *runState) (turn, error) {
	tn := turn{slot: -1}
	if err := ctx.Err(); err != nil {
		return tn, err // stopped: no new call
	}
	p.pauseMu.Lock()
	until := p.pausedUntil
	p.pauseMu.Unlock()
	if !until.IsZero() {
		if d := time.Until(until); d > 0 && !p.opts.wait(ctx, d, "pause") {
			return tn, ctx.Err()
		}
	}
	notice := func(time.Duration) {
		rs.notice.Do(func() { p.noticeSlowRate(int(rs.left.Load()) + 1) })
	}
	if p.bucket != nil {
		if err := p.bucket.wait(ctx, notice); err != nil {
			return tn, err
		}
		tn.bucket = true
	}
	if p.window != nil {
		slot, at, err := p.window.wait(ctx, notice)
		if err != nil {
			p.giveBack(tn) // the bucket's token; the slot stays taken
			return turn{slot: -1}, err
		}
		tn.slot, tn.at = slot, at
	}
	return tn, nil
}

// giveBack returns a turn whose call never left the machine.
func (p *provRun) giveBack(tn turn) {
	if tn.bucket && p.bucket != nil {
		p.bucket.refund()
	}
	if tn.slot >= 0 && p.window != nil {
		p.window.refund(tn.slot, tn.at)
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// call makes one provider call under the per-call timeout. A provider that
// ignores its context is abandoned at the timeout; a panic becomes a
// provider error (its value is not shown: it could hold a secret).
func (p *provRun) call(ctx context.Context, items []Item) []Result {
	cctx, cancel := context.WithTimeout(ctx, p.lim.Timeout)
	defer cancel()
	done := make(chan []Result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				p.opts.Logger.Error("lookup provider panicked", "provider", p.spec.Name)
				done <- fillN(len(items), Result{Status: StatusProviderError, Severity: SevUnknown, Message: "provider failed unexpectedly (panic)"})
			}
		}()
		if p.batch != nil {
			done <- p.batch.LookupBatch(cctx, items)
			return
		}
		done <- []Result{p.spec.Provider.Lookup(cctx, items[0])}
	}()
	var rs []Result
	select {
	case rs = <-done:
	case <-cctx.Done():
		return fillN(len(items), p.timeoutResult(ctx))
	}
	if len(rs) != len(items) {
		return fillN(len(items), Result{Status: StatusUnexpected, Severity: SevUnknown,
			Message: fmt.Sprintf("batch call returned %d results for %d items", len(rs), len(items))})
	}
	if cctx.Err() != nil {
		for i := range rs {
			if !rs[i].Status.OK() {
				rs[i] = p.timeoutResult(ctx)
			}
		}
	}
	return rs
}

func (p *provRun) timeoutResult(parent context.Context) Result {
	if err := parent.Err(); err != nil {
		return Result{Status: StatusTimeout, Severity: SevUnknown, Message: stopReason(err) + " during the call"}
	}
	return Result{Status: StatusTimeout, Severity: SevUnknown, Message: fmt.Sprintf("no answer within %s", p.lim.Timeout)}
}

func fillN(n int, r Result) []Result {
	out := make([]Result, n)
	for i := range out {
		out[i] = r
	}
	return out
}

// windowLimiter guarantees that no more than n calls start in any window
// of the given length: n slots, each holding the last start placed in it;
// a start takes the slot with the oldest start (or a free one) and waits
// until that start is a window old. Successive starts in one slot are thus
// a window apart, so any window holds at most one start per slot. A slot
// whose call never left the machine is freed (refund).
type windowLimiter struct {
	mu     sync.Mutex
	window time.Duration
	starts []time.Time      // per slot: its last start; zero = free
	now    func() time.Time // the clock (tests set a fake one)
}

func newWindowLimiter(n int, window time.Duration) *windowLimiter {
	return &windowLimiter{window: window, starts: make([]time.Time, n), now: time.Now}
}

// wait records a start in the slot with the oldest start (or a free one)
// and waits until that slot's previous start is a window old; it returns the slot and the start time
// (for refund). notice is called with the wait when there is one.
func (w *windowLimiter) wait(ctx context.Context, notice func(time.Duration)) (int, time.Time, error) {
	w.mu.Lock()
	now := w.now()
	at := now
	slot := 0
	for i, t := range w.starts {
		if t.Before(w.starts[slot]) { // the zero time (free) is before any start
			slot = i
		}
	}
	if oldest := w.starts[slot]; !oldest.IsZero() {
		if t := oldest.Add(w.window); t.After(at) {
			at = t
		}
	}
	w.starts[slot] = at
	w.mu.Unlock()
	d := at.Sub(now)
	if d > 0 && notice != nil {
		notice(d)
	}
	if d > 0 && !sleep(ctx, d) {
		// the slot stays taken: freeing a start still in the future could
		// let a later call start too soon after the one before it
		return slot, at, ctx.Err()
	}
	return slot, at, nil
}

// finish moves the slot's start to the end of its call (now), unless a
// later start has taken the slot since: the next start in the slot then
// waits a window from the moment the call was certainly done.
func (w *windowLimiter) finish(slot int, at time.Time) {
	w.mu.Lock()
	if w.starts[slot].Equal(at) {
		if now := w.now(); now.After(at) {
			w.starts[slot] = now
		}
	}
	w.mu.Unlock()
}

// refund frees the slot of a call that was made but never left the machine
// (so its start time has passed), unless a later start has taken it since.
func (w *windowLimiter) refund(slot int, at time.Time) {
	w.mu.Lock()
	if w.starts[slot].Equal(at) {
		w.starts[slot] = time.Time{}
	}
	w.mu.Unlock()
}
