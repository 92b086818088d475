package exec

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	osexec "os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/msticgo/msticgo/internal/redact"
)

// CrashError reports a plugin process that exited or could not start.
type CrashError struct {
	Plugin string
	Op     string
	Err    error    // the exit status or start error
	Stderr []string // what it wrote to stderr during this call (the last lines), secrets removed
}

func (e *CrashError) Error() string {
	msg := fmt.Sprintf("plugin %s exited during %s: %v", e.Plugin, e.Op, e.Err)
	if len(e.Stderr) > 0 {
		msg += "; its stderr: " + strings.Join(e.Stderr, " | ")
	}
	return msg
}

func (e *CrashError) Unwrap() error { return e.Err }

// UnavailableError is returned once a plugin crashed too often.
type UnavailableError struct {
	Plugin string
	Last   error
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("plugin %s is unavailable after repeated crashes: %v", e.Plugin, e.Last)
}

func (e *UnavailableError) Unwrap() error { return e.Last }

// CallError is an error answer from the plugin.
type CallError struct {
	Plugin string
	Method string
	RPC    *RPCError
}

func (e *CallError) Error() string {
	return fmt.Sprintf("plugin %s: %s: %v", e.Plugin, e.Method, e.RPC)
}

// stderrTail logs a plugin process's stderr lines (secrets removed) and
// keeps the last few, numbered, so that a crash quotes only what was written
// during the call that was running (see mark and since).
type stderrTail struct {
	mu      sync.Mutex
	partial []byte
	lines   []string
	seq     int // lines added so far; lines[len(lines)-1] is number seq
	max     int
	scrub   *scrubber
	log     *slog.Logger
}

// newTail is a process's own tail, sharing the pool's scrubber and logger.
func (t *stderrTail) newTail() *stderrTail {
	return &stderrTail{max: t.max, scrub: t.scrub, log: t.log}
}

func (t *stderrTail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.partial = append(t.partial, p...)
	for {
		i := bytes.IndexByte(t.partial, '\n')
		if i < 0 {
			if len(t.partial) > 8192 {
				t.addLocked(string(t.partial))
				t.partial = t.partial[:0]
			}
			return len(p), nil
		}
		t.addLocked(string(bytes.TrimRight(t.partial[:i], "\r")))
		t.partial = t.partial[i+1:]
	}
}

func (t *stderrTail) addLocked(line string) {
	line = t.scrub.clean(Quote([]byte(line), 1000))
	if t.log != nil {
		t.log.Info("plugin stderr", "line", line)
	}
	t.lines = append(t.lines, line)
	t.seq++
	if len(t.lines) > t.max {
		t.lines = t.lines[len(t.lines)-t.max:]
	}
}

// stderrMark is a point in a tail: lines added after it belong to a later call.
type stderrMark struct{ seq, partial int }

func (t *stderrTail) mark() stderrMark {
	t.mu.Lock()
	defer t.mu.Unlock()
	return stderrMark{seq: t.seq, partial: len(t.partial)}
}

// since returns the lines added after m (the last max of them), with an
// unfinished last line.
func (t *stderrTail) since(m stderrMark) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := min(t.seq-m.seq, len(t.lines))
	out := append([]string(nil), t.lines[len(t.lines)-n:]...)
	if len(t.partial) > 0 && (n > 0 || len(t.partial) > m.partial) {
		out = append(out, t.scrub.clean(Quote(t.partial, 1000)))
	}
	return out
}

// scrubber replaces secret values with ***.
type scrubber struct {
	secrets []string
	once    sync.Once
	r       *redact.Replacer
}

// cleanValue replaces secret values in every string of a decoded JSON
// value (details, raw) and in every map key; use the value it returns.
func (s *scrubber) cleanValue(v any) any {
	if s == nil || len(s.secrets) == 0 {
		return v
	}
	switch x := v.(type) {
	case string:
		return s.clean(x)
	case []any:
		for i := range x {
			x[i] = s.cleanValue(x[i])
		}
	case map[string]any:
		// keys too: a plugin may echo a secret as a field name
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[s.clean(k)] = s.cleanValue(e)
		}
		return m
	}
	return v
}

func (s *scrubber) clean(text string) string {
	if s == nil {
		return text
	}
	// the rule of package redact: secrets of 4 characters or more, where
	// they stand as a whole token, in any ASCII case, plain or encoded
	// (URL, JSON, base64)
	s.once.Do(func() { s.r = redact.NewEncoded(s.secrets...) })
	return s.r.Replace(text)
}

type lineMsg struct {
	line []byte
	err  error
}

// proc is one running plugin process. It serves one call at a time.
type proc struct {
	name    string
	cmd     *osexec.Cmd
	stdin   io.WriteCloser
	stdout  io.ReadCloser
	stderr  io.Closer // the read end of its stderr pipe
	lines   chan lineMsg
	done    chan struct{} // closed after Wait returns
	waitErr error
	tail    *stderrTail // this process's own stderr
	pipes   []uint64    // the inodes of its stdout and stderr pipes, where known
	from    stderrMark  // where the running call's stderr starts
	answer  *stderrMark // where it was at the call's last answer, if any
	log     *slog.Logger
	nextID  int64
	buf     bytes.Buffer
	broken  bool // protocol state unknown; do not reuse
	// connected is the connection string a data plugin process last connected with.
	connected *string
}

// startProc starts one process; its stderr goes to a tail of its own made
// from poolTail (logged the same way, with the same secrets removed).
//
// The process's exit is seen from the process itself (cmd.Wait), not from
// the end of its stdout: a program the plugin started and that left its
// process group (a daemon) may keep the pipes open long after the plugin
// exited. Once the process has exited, what is left in its pipes is read and
// the rest is ignored (see exitReader).
func startProc(name string, m *Manifest, poolTail *stderrTail, log *slog.Logger) (*proc, error) {
	tail := poolTail.newTail()
	argv := m.Command
	cmd := osexec.Command(resolveProgram(m.Dir, argv[0]), argv[1:]...)
	cmd.Dir = m.Dir
	cmd.Env = processEnv(m.Dir, m.Env)
	setProcessGroup(cmd)
	// Pipes of our own (files, not writers): cmd.Wait then returns when the
	// process exits, not when every holder of the pipes has closed them.
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("stdout pipe: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		_ = outR.Close()
		_ = outW.Close()
		return nil, fmt.Errorf("stderr pipe: %w", err)
	}
	cmd.Stdout = outW
	cmd.Stderr = errW
	stdin, err := cmd.StdinPipe()
	if err == nil {
		err = cmd.Start()
	}
	// the child has its own copies of the write ends
	_ = outW.Close()
	_ = errW.Close()
	if err != nil {
		_ = outR.Close()
		_ = errR.Close()
		return nil, err
	}
	stdout, stderr := &exitReader{f: outR}, &exitReader{f: errR}
	p := &proc{name: name, cmd: cmd, stdin: stdin, stdout: outR, stderr: errR, lines: make(chan lineMsg, 256), done: make(chan struct{}), tail: tail, log: log}
	for _, f := range []*os.File{outR, errR} {
		if ino := pipeInode(f); ino != 0 {
			p.pipes = append(p.pipes, ino)
		}
	}
	stderrDone := make(chan struct{})
	go func() {
		defer close(stderrDone)
		_, _ = io.Copy(tail, stderr)
		_ = errR.Close()
	}()
	go func() {
		r := bufio.NewReaderSize(stdout, 64<<10)
		defer close(p.lines)
		defer outR.Close()
		for {
			line, err := readLine(r)
			if len(line) > 0 {
				p.lines <- lineMsg{line: line}
			}
			if err != nil {
				if !errors.Is(err, io.EOF) {
					p.lines <- lineMsg{err: err}
				}
				return
			}
		}
	}()
	go func() {
		err := cmd.Wait()
		// what the process wrote is in the pipes: read it, then stop
		stdout.exit()
		if stderr.exit() {
			<-stderrDone // a crash quotes all of its stderr
		}
		p.waitErr = err
		close(p.done)
	}()
	return p, nil
}

// exitReader reads a pipe from a plugin process. Until exit is called it
// reads as any pipe. After, it returns what is left in the pipe and then
// io.EOF, even when another process (one the plugin started, that left its
// process group) still holds the pipe's write end open.
type exitReader struct {
	f       *os.File
	exited  atomic.Bool
	drain   bool // only the reading goroutine uses it
	drained int  // bytes read after the exit
}

// maxDrain bounds what is read from a pipe after the process exited: a
// program it left behind that keeps writing cannot keep the reader going.
const maxDrain = 4 << 20

// exit is called once the process has exited: it wakes a blocked Read.
// It reports false where read deadlines are not supported (not a pollable
// pipe): Read then blocks until EOF, or until stop closes the pipe.
func (r *exitReader) exit() bool {
	r.exited.Store(true)
	return r.f.SetReadDeadline(time.Now()) == nil
}

func (r *exitReader) Read(b []byte) (int, error) {
	if !r.drain {
		n, err := r.f.Read(b)
		if !errors.Is(err, os.ErrDeadlineExceeded) || !r.exited.Load() {
			return n, err
		}
		if err := r.f.SetReadDeadline(time.Time{}); err != nil {
			return n, io.EOF
		}
		r.drain = true
		if n > 0 {
			return n, nil
		}
	}
	if r.drained >= maxDrain {
		return 0, io.EOF
	}
	n, err := readAvailable(r.f, b)
	r.drained += n
	return n, err
}

// readLine reads one line, refusing lines longer than MaxLine.
func readLine(r *bufio.Reader) ([]byte, error) {
	var out []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(out)+len(chunk) > MaxLine {
			return nil, &ProtocolError{Line: Quote(append(out, chunk...), 200), Reason: "line longer than 16 MiB"}
		}
		out = append(out, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		return out, err
	}
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// crash builds the error for a process that went away.
func (p *proc) crash(op string) error {
	var err error
	select {
	case <-p.done:
		err = p.waitErr
		if err == nil {
			err = errors.New("exited with status 0 before answering")
		}
	case <-time.After(2 * time.Second):
		err = errors.New("closed its stdout")
	}
	// What it wrote since the call's last answer, when there is any: the
	// answered items' lines (a traceback of an item that failed) are not
	// this crash's. stderr and stdout are separate pipes, so lines written
	// after an answer can be read before it: with none after the answer,
	// everything since the call began.
	var lines []string
	if p.answer != nil {
		lines = p.tail.since(*p.answer)
	}
	if len(lines) == 0 {
		lines = p.tail.since(p.from)
	}
	return &CrashError{Plugin: p.name, Op: op, Err: err, Stderr: lines}
}

// notifyFunc receives the notifications read while a call runs; id is the
// call's request id. A handler must ignore a notification whose request_id
// names another request (see forCall).
type notifyFunc func(id int64, method string, params json.RawMessage) error

// forCall reports whether a notification's request_id belongs to the call
// with this id. A notification for another request is a late one from an
// earlier call that failed (a malformed line) or was given up; applying it
// would give this call's items or rows another call's results. A missing
// request_id (0) is taken to mean the running call.
func forCall(requestID, id int64) bool { return requestID == 0 || requestID == id }

// call sends one request and waits for its response, passing the call's
// notifications to onNote. On ctx's end it sends cancel and, when the
// plugin does not answer within grace, marks the process broken.
func (p *proc) call(ctx context.Context, method string, params any, onNote notifyFunc, grace time.Duration) (json.RawMessage, error) {
	if p.nextID > 0 {
		// earlier calls' stderr is theirs; the first call (initialize)
		// keeps what the process wrote as it started (an import error)
		p.from = p.tail.mark()
	}
	p.answer = nil
	p.nextID++
	id := p.nextID
	if err := encodeRequest(&p.buf, id, method, params); err != nil {
		return nil, err
	}
	if _, err := p.stdin.Write(p.buf.Bytes()); err != nil {
		p.broken = true
		return nil, p.crash(method)
	}
	var cancelled <-chan time.Time
	ctxDone := ctx.Done()
	var noteErr error
	for {
		select {
		case <-ctxDone:
			ctxDone = nil
			_ = encodeRequest(&p.buf, 0, MethodCancel, map[string]int64{"id": id})
			_, _ = p.stdin.Write(p.buf.Bytes())
			cancelled = time.After(grace)
		case <-cancelled:
			p.broken = true
			return nil, fmt.Errorf("plugin %s: %s: %w (the plugin did not stop within %s; its process is ended)", p.name, method, ctx.Err(), grace)
		case lm, ok := <-p.lines:
			if !ok {
				p.broken = true
				return nil, p.crash(method)
			}
			if lm.err != nil {
				p.broken = true
				var pe *ProtocolError
				if errors.As(lm.err, &pe) {
					pe.Line = p.tail.scrub.clean(pe.Line)
				}
				return nil, fmt.Errorf("plugin %s: %s: %w", p.name, method, lm.err)
			}
			msg, err := DecodeLine(lm.line)
			if err != nil {
				var pe *ProtocolError
				if errors.As(err, &pe) {
					pe.Line = p.tail.scrub.clean(pe.Line)
				}
				return nil, fmt.Errorf("plugin %s: %s: %w", p.name, method, err)
			}
			if msg.Method != "" {
				if msg.Method == NotifyLog {
					p.logNote(msg.Params)
					continue
				}
				if msg.ID == nil {
					// an answer (an item's result, rows): the stderr
					// before it is most likely the answered items'
					m := p.tail.mark()
					p.answer = &m
				}
				if onNote != nil && noteErr == nil && msg.ID == nil {
					noteErr = onNote(id, msg.Method, msg.Params)
				}
				continue
			}
			if *msg.ID != id {
				p.log.Debug("plugin answered an earlier request", "plugin", p.name, "id", *msg.ID)
				continue
			}
			if cancelled != nil {
				return nil, fmt.Errorf("plugin %s: %s: %w", p.name, method, ctx.Err())
			}
			if msg.Error != nil {
				msg.Error.Message = p.tail.scrub.clean(msg.Error.Message)
				return nil, &CallError{Plugin: p.name, Method: method, RPC: msg.Error}
			}
			if noteErr != nil {
				return nil, noteErr
			}
			return msg.Result, nil
		}
	}
}

func (p *proc) logNote(params json.RawMessage) {
	var n LogNote
	if json.Unmarshal(params, &n) != nil {
		return
	}
	lvl := slog.LevelInfo
	switch strings.ToLower(n.Level) {
	case "debug":
		lvl = slog.LevelDebug
	case "warning", "warn":
		lvl = slog.LevelWarn
	case "error":
		lvl = slog.LevelError
	}
	p.log.Log(context.Background(), lvl, "plugin log", "plugin", p.name, "message", p.tail.scrub.clean(n.Message))
}

// stop ends the process: shutdown request, stdin closed, grace period,
// SIGTERM to its process group, then SIGKILL.
func (p *proc) stop(grace time.Duration) {
	go func() {
		for range p.lines { // nobody reads any more; let the reader finish
		}
	}()
	if !p.exited() && !p.broken {
		_ = encodeRequest(&p.buf, 0, MethodShutdown, nil)
		_, _ = p.stdin.Write(p.buf.Bytes())
	}
	_ = p.stdin.Close()
	select {
	case <-p.done:
	case <-time.After(grace):
		terminateGroup(p.cmd)
		select {
		case <-p.done:
		case <-time.After(grace):
		}
	}
	killGroup(p.cmd)
	// a program it started outside its process group, still holding its
	// stdout or stderr (a daemon)
	killPipeHolders(p.pipes, p.name, p.log)
	select {
	case <-p.done:
	case <-time.After(grace):
		// not seen to end after SIGKILL (or a program outside its
		// group still writes to its pipes): end both readers anyway
		_ = p.stdout.Close()
		_ = p.stderr.Close()
		<-p.done
	}
}
