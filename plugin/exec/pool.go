package exec

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Defaults for limits a manifest leaves out.
const (
	DefaultStartTimeout    = 10 * time.Second
	DefaultCallTimeout     = 60 * time.Second
	DefaultShutdownTimeout = 2 * time.Second
	DefaultMaxBatch        = 100
	DefaultMaxRestarts     = 3
	maxBackoff             = 5 * time.Second
)

// pool runs up to Concurrency processes of one plugin instance, each
// initialised with the same settings and loaded-as name.
type pool struct {
	name  string
	man   *Manifest
	init  InitializeParams
	log   *slog.Logger
	tail  *stderrTail
	sem   chan struct{}
	grace time.Duration

	mu          sync.Mutex
	idle        []*proc
	live        map[*proc]bool
	stopping    map[*proc]chan struct{} // being ended; closed when stop returns
	crashes     int                     // consecutive
	unavailable error
	closed      bool
	info        InitializeResult
}

func newPool(name string, m *Manifest, init InitializeParams, secrets []string, log *slog.Logger) *pool {
	conc := m.Limits.Concurrency
	if conc <= 0 {
		conc = 1
	}
	grace := m.Limits.ShutdownTimeout.D()
	if grace <= 0 {
		grace = DefaultShutdownTimeout
	}
	var sc []string
	for _, s := range secrets {
		if len(s) >= 3 {
			sc = append(sc, s)
		}
	}
	return &pool{
		name: name, man: m, init: init, log: log, grace: grace,
		sem:      make(chan struct{}, conc),
		live:     map[*proc]bool{},
		stopping: map[*proc]chan struct{}{},
		tail:     &stderrTail{max: 20, scrub: &scrubber{secrets: sc}, log: log.With("plugin", name)},
	}
}

// quote shortens what a plugin sent for an error message, with secret
// setting values replaced by ***.
func (p *pool) quote(b []byte, max int) string { return p.tail.scrub.clean(Quote(b, max)) }

// Unavailable returns the reason the plugin is no longer used, or nil.
func (p *pool) Unavailable() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.unavailable
}

func (p *pool) maxRestarts() int {
	if p.man.Limits.MaxRestarts > 0 {
		return p.man.Limits.MaxRestarts
	}
	return DefaultMaxRestarts
}

// acquire returns an idle process or starts one (after a backoff when the
// last one crashed).
func (p *pool) acquire(ctx context.Context) (*proc, error) {
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("plugin %s: waiting for a free process: %w", p.name, ctx.Err())
	}
	pr, err := p.get(ctx)
	if err != nil {
		<-p.sem
	}
	return pr, err
}

func (p *pool) get(ctx context.Context) (*proc, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, fmt.Errorf("plugin %s: closed", p.name)
	}
	if p.unavailable != nil {
		err := p.unavailable
		p.mu.Unlock()
		return nil, err
	}
	for len(p.idle) > 0 {
		pr := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if !pr.exited() {
			p.mu.Unlock()
			return pr, nil
		}
		delete(p.live, pr)
		p.stopLocked(pr)
	}
	crashes := p.crashes
	p.mu.Unlock()

	if crashes > 0 {
		t := time.NewTimer(restartBackoff(crashes))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("plugin %s: waiting to restart: %w", p.name, ctx.Err())
		}
	}
	pr, err := p.start(ctx)
	if err != nil {
		p.noteCrash(err)
		return nil, err
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		pr.stop(p.grace)
		return nil, fmt.Errorf("plugin %s: closed", p.name)
	}
	p.live[pr] = true
	p.mu.Unlock()
	return pr, nil
}

// restartBackoff is the wait before starting a process after crashes
// consecutive crashes: 100 ms, doubled for each further crash, at most 5 s.
func restartBackoff(crashes int) time.Duration {
	if crashes <= 0 {
		return 0
	}
	d := 100 * time.Millisecond
	for i := 1; i < crashes && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

func (p *pool) start(ctx context.Context) (*proc, error) {
	pr, err := startProc(p.name, p.man, p.tail, p.log)
	if err != nil {
		return nil, &CrashError{Plugin: p.name, Op: "start", Err: err}
	}
	st := p.man.Limits.StartTimeout.D()
	if st <= 0 {
		st = DefaultStartTimeout
	}
	sctx, cancel := context.WithTimeout(ctx, st)
	defer cancel()
	raw, err := pr.call(sctx, MethodInitialize, p.init, nil, p.grace)
	if err == nil {
		var res InitializeResult
		if raw == nil || raw[0] != '{' || json.Unmarshal(raw, &res) != nil {
			err = fmt.Errorf("plugin %s: initialize: want an object with \"protocol\", got %s", p.name, p.quote(raw, 200))
		} else if res.Protocol == 0 {
			res.Protocol = 1
		}
		if err == nil && (res.Protocol < 1 || res.Protocol > ProtocolVersion) {
			err = fmt.Errorf("plugin %s chose protocol %d but msticgo speaks 1..%d: upgrade msticgo, or pin the plugin to protocol %d", p.name, res.Protocol, ProtocolVersion, ProtocolVersion)
		}
		if err == nil {
			p.mu.Lock()
			p.info = res
			p.mu.Unlock()
		}
	}
	if err != nil {
		pr.broken = true
		p.mu.Lock()
		closed := p.closed
		if !closed {
			p.stopLocked(pr)
		}
		p.mu.Unlock()
		if closed {
			pr.stop(p.grace)
		}
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			err = fmt.Errorf("plugin %s did not answer initialize within %s: %w", p.name, st, err)
		}
		return nil, err
	}
	return pr, nil
}

func (p *pool) noteCrash(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.crashes++
	if p.crashes >= p.maxRestarts() && p.unavailable == nil {
		p.unavailable = &UnavailableError{Plugin: p.name, Last: err}
		p.log.Error("plugin marked unavailable", "plugin", p.name, "err", err)
	}
}

// release returns a process after a call. err is the call's error: a crash
// counts towards the restart budget; any broken process is ended.
func (p *pool) release(pr *proc, err error) {
	defer func() { <-p.sem }()
	var ce *CrashError
	crashed := errors.As(err, &ce)
	if crashed {
		p.noteCrash(err)
	}
	p.mu.Lock()
	if !crashed && err == nil {
		p.crashes = 0
	}
	if pr.broken || pr.exited() || p.closed {
		if p.closed {
			// Close has taken (and ends) every process that was live.
			p.mu.Unlock()
			return
		}
		delete(p.live, pr)
		p.stopLocked(pr)
		p.mu.Unlock()
		return
	}
	p.idle = append(p.idle, pr)
	p.mu.Unlock()
}

// stopLocked ends pr in the background; Close waits for it. p.mu is held
// and the pool is not closed.
func (p *pool) stopLocked(pr *proc) {
	if _, ok := p.stopping[pr]; ok {
		return
	}
	done := make(chan struct{})
	p.stopping[pr] = done
	go func() {
		pr.stop(p.grace)
		p.mu.Lock()
		delete(p.stopping, pr)
		p.mu.Unlock()
		close(done)
	}()
}

// do runs one call on a pooled process with the plugin's call timeout.
func (p *pool) do(ctx context.Context, method string, params any, onNote notifyFunc, before func(ctx context.Context, pr *proc) error) (json.RawMessage, error) {
	ct := p.man.Limits.CallTimeout.D()
	if ct <= 0 {
		ct = DefaultCallTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, ct)
	defer cancel()
	pr, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	if before != nil {
		if err = before(ctx, pr); err != nil {
			p.release(pr, err)
			return nil, err
		}
	}
	raw, err := pr.call(ctx, method, params, onNote, p.grace)
	p.release(pr, err)
	return raw, err
}

// Close ends every process of the pool, including the ones already being
// ended, and returns when they are gone.
func (p *pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	var all []*proc
	for pr := range p.live {
		all = append(all, pr)
	}
	var ending []chan struct{}
	for _, done := range p.stopping {
		ending = append(ending, done)
	}
	p.live = map[*proc]bool{}
	p.idle = nil
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, pr := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pr.stop(p.grace)
		}()
	}
	wg.Wait()
	// Processes given up on earlier (a call or initialize that timed out,
	// a crash) are still being ended: wait for them too, so that none is
	// left running when the program exits.
	for _, done := range ending {
		<-done
	}
	return nil
}

// resolveProgram makes a program path with a separator relative to the
// plugin folder; a bare name is looked up on PATH.
func resolveProgram(dir, prog string) string {
	if filepath.IsAbs(prog) || !strings.ContainsAny(prog, `/\`) {
		return prog
	}
	return filepath.Join(dir, prog)
}

// processEnv is the host environment plus the manifest's env entries.
// Settings (and so secrets) are never passed in the environment.
// ${PLUGIN_DIR} in a value is replaced by the plugin folder.
func processEnv(dir string, extra map[string]string) []string {
	env := os.Environ()
	for k, v := range extra {
		env = append(env, k+"="+strings.ReplaceAll(v, "${PLUGIN_DIR}", dir))
	}
	return append(env, "MSTICGO_PLUGIN=1")
}
