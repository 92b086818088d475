package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/msticgo/msticgo/config"
	"github.com/msticgo/msticgo/internal/redact"
	"github.com/msticgo/msticgo/registry"
	"github.com/msticgo/msticgo/table"
)

// Env is what a run of the CLI sees of the outside world. Tests build one
// with buffers and a map-backed Getenv so runs stay isolated.
type Env struct {
	Args   []string // without the program name
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads environment variables; nil means os.Getenv.
	Getenv func(string) string
}

// App is the state one command run shares: streams, global flags, the
// config, the registry, the logger and the clock. Command groups receive it
// in their addCommand builder and call its methods from RunE.
type App struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string

	// global flag values
	configPath string
	pluginDirs []string
	queryPaths []string
	output     string
	logLevel   string
	maxWidth   int

	format table.Format
	level  slog.LevelVar
	logger *slog.Logger
	now    time.Time // zero: real clock

	// configReport is set by commands that report the config's problems
	// themselves (config validate): loading then does not warn about them.
	configReport bool

	cfgOnce sync.Once
	cfg     *config.Config
	cfgErr  error

	regOnce sync.Once
	reg     *registry.Registry
	regErr  error

	redactor atomic.Pointer[redact.Replacer]
	secrets  atomic.Pointer[[]string]
}

// registryHooks run, in order, on a fresh clone of registry.Default the
// first time App.Registry is called (the plugin loader appends one that
// loads PluginFolders and --plugins).
var registryHooks []func(a *App, r *registry.Registry) error

func newApp(ctx context.Context, env Env) *App {
	a := &App{ctx: ctx, stdin: env.Stdin, stdout: env.Stdout, stderr: env.Stderr, getenv: env.Getenv, format: table.FormatTable}
	if a.stdin == nil {
		a.stdin = strings.NewReader("")
	}
	if a.stdout == nil {
		a.stdout = io.Discard
	}
	if a.stderr == nil {
		a.stderr = io.Discard
	}
	if a.getenv == nil {
		a.getenv = os.Getenv
	}
	a.level.Set(slog.LevelInfo)
	// Secrets are scrubbed twice: per attribute before formatting (so quoting
	// cannot split a secret) and per formatted line (for attributes bound
	// with Logger().With before the config, and its secrets, loaded).
	text := slog.NewTextHandler(redactWriter{a}, &slog.HandlerOptions{
		Level: &a.level,
		ReplaceAttr: func(groups []string, at slog.Attr) slog.Attr {
			if len(groups) == 0 && at.Key == slog.TimeKey {
				return slog.Attr{} // stderr lines stay short and stable
			}
			return at
		},
	})
	a.logger = slog.New(&redactHandler{next: text, app: a})
	return a
}

// Context is cancelled on SIGINT/SIGTERM (Execute) or when the caller's
// context ends (Run).
func (a *App) Context() context.Context { return a.ctx }

// Stdin is the command's standard input.
func (a *App) Stdin() io.Reader { return a.stdin }

// Stdout is where results go. Prefer Write for frames.
func (a *App) Stdout() io.Writer { return a.stdout }

// Stderr is where diagnostics go. Prefer Logger.
func (a *App) Stderr() io.Writer { return a.stderr }

// Getenv reads an environment variable of this run.
func (a *App) Getenv(key string) string { return a.getenv(key) }

// Format is the output format chosen with -o.
func (a *App) Format() table.Format { return a.format }

// PluginDirs are the --plugins folders, in order, as given.
func (a *App) PluginDirs() []string { return append([]string(nil), a.pluginDirs...) }

// QueryPaths are the --query-path folders, in order, as given.
func (a *App) QueryPaths() []string { return append([]string(nil), a.queryPaths...) }

// Logger logs to stderr (text), at the --log-level, with every known secret
// value replaced by *** in messages and attributes.
func (a *App) Logger() *slog.Logger { return a.logger }

// Now is MSTICGO_NOW (RFC 3339) when set, else the real time. A bad
// MSTICGO_NOW is rejected before any command runs (exit 2).
func (a *App) Now() time.Time {
	if !a.now.IsZero() {
		return a.now
	}
	return time.Now()
}

// Config loads the config once: --config, else MSTICPYCONFIG, else
// ./msticpyconfig.yaml, else ~/.msticpy/msticpyconfig.yaml, else the
// embedded defaults (with one notice on stderr). A missing explicit path or
// a file that is not YAML is a usage error (exit 2).
func (a *App) Config() (*config.Config, error) {
	a.cfgOnce.Do(func() {
		cfg, err := config.Load(config.FindOptions{Flag: a.configPath, Getenv: a.getenv})
		if err != nil {
			a.cfgErr = UsageError(err)
			return
		}
		a.cfg = cfg
		a.setSecrets(cfg.Secrets())
		if cfg.From == config.FromEmbedded {
			a.logger.Info("no msticpyconfig.yaml: using built-in defaults (msticgo config path)")
		} else {
			a.logger.Debug("config loaded", "path", cfg.Path, "from", cfg.From)
		}
		var where, typos []string
		for _, p := range cfg.Problems {
			w := p.Path
			if p.Line > 0 {
				w += fmt.Sprintf(" (line %d)", p.Line)
			}
			if p.Severity == config.SevError {
				where = append(where, w)
			} else if _, s, ok := strings.Cut(p.Message, "did you mean "); ok {
				// a likely typo silently changes what the config does
				typos = append(typos, w+": did you mean "+s)
			}
		}
		if len(typos) > 0 && !a.configReport {
			a.logger.Warn(fmt.Sprintf("config %s: likely typo: %s (run: msticgo config validate)", cfg.Path, strings.Join(typos, "; ")))
		}
		if n := len(where); n > 0 && !a.configReport {
			if n > 3 {
				where = append(where[:3], fmt.Sprintf("and %d more", n-3))
			}
			a.logger.Warn(fmt.Sprintf("config %s has %d error(s), at %s; those parts are not used (run: msticgo config validate)", cfg.Path, n, strings.Join(where, ", ")))
		}
	})
	return a.cfg, a.cfgErr
}

// Registry returns this run's registry: a clone of registry.Default plus
// whatever the registry hooks add (plugins). Built once. On a hook error the
// registry is still returned with everything that did load.
func (a *App) Registry() (*registry.Registry, error) {
	a.regOnce.Do(func() {
		r := registry.Default.Clone()
		var errs []error
		for _, h := range registryHooks {
			if err := h(a, r); err != nil {
				errs = append(errs, err)
			}
		}
		a.reg, a.regErr = r, errors.Join(errs...)
	})
	return a.reg, a.regErr
}

// loadSecretsQuietly learns the config's secrets, without notices, when a
// command failed before loading the config, so even an error that echoes
// the command line is redacted.
func (a *App) loadSecretsQuietly() {
	if a.cfg != nil {
		return
	}
	if cfg, err := config.Load(config.FindOptions{Flag: a.configPath, Getenv: a.getenv}); err == nil {
		a.setSecrets(append(a.Secrets(), cfg.Secrets()...))
	}
}

// Secrets returns every resolved secret value of the config (longest
// first); empty until Config has loaded.
func (a *App) Secrets() []string {
	if p := a.secrets.Load(); p != nil {
		return append([]string(nil), (*p)...)
	}
	return nil
}

// AddSecret registers more values to redact (e.g. a token a provider
// obtained at run time). Values shorter than redact.MinLen are not
// redacted (see Redact).
func (a *App) AddSecret(values ...string) {
	cur := a.Secrets()
	for _, v := range values {
		if len(strings.TrimSpace(v)) >= redact.MinLen {
			cur = append(cur, v)
		}
	}
	a.setSecrets(cur)
}

func (a *App) setSecrets(s []string) {
	s = append([]string(nil), s...)
	// longest first so a secret containing another is replaced whole
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && len(s[j]) > len(s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	a.secrets.Store(&s)
	// the encoded forms too: a provider or plugin may show a key in
	// base64 or escaped, or with its case changed
	a.redactor.Store(redact.NewEncoded(s...))
}

// Redact replaces every known secret value in s with ***, by the rule of
// package redact: a secret of at least 4 characters, wherever it stands as
// a whole token (not preceded or followed by a letter or digit), in any
// ASCII case, plain or encoded (URL and JSON escapes, base64). Data that
// merely contains a secret's text (port 443 with a key "443", the host
// WS-ELM with a key "WS-E") is left as it is.
func (a *App) Redact(s string) string {
	return a.redactor.Load().Replace(s)
}

// Write writes a frame to stdout in the -o format, with secrets redacted.
func (a *App) Write(f *table.Frame) error {
	return table.Write(a.stdout, f, a.format, table.Options{MaxWidth: a.maxWidth, Redact: a.Redact})
}

// redactWriter redacts each write (a slog text handler writes one record
// per Write).
type redactWriter struct{ a *App }

func (w redactWriter) Write(p []byte) (int, error) {
	if w.a.redactor.Load() == nil {
		return w.a.stderr.Write(p)
	}
	if _, err := io.WriteString(w.a.stderr, w.a.Redact(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// redactHandler scrubs secret values from every log record.
type redactHandler struct {
	next slog.Handler
	app  *App
}

func (h *redactHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *redactHandler) Handle(ctx context.Context, r slog.Record) error {
	nr := slog.NewRecord(r.Time, r.Level, h.app.Redact(r.Message), r.PC)
	r.Attrs(func(at slog.Attr) bool {
		nr.AddAttrs(h.redactAttr(at))
		return true
	})
	return h.next.Handle(ctx, nr)
}

func (h *redactHandler) redactAttr(at slog.Attr) slog.Attr {
	v := at.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(at.Key, h.app.Redact(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]any, 0, len(g))
		for _, x := range g {
			out = append(out, h.redactAttr(x))
		}
		return slog.Group(at.Key, out...)
	case slog.KindAny:
		return slog.String(at.Key, h.app.Redact(fmt.Sprint(v.Any())))
	}
	return slog.Attr{Key: at.Key, Value: v}
}

func (h *redactHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(attrs))
	for i, at := range attrs {
		out[i] = h.redactAttr(at)
	}
	return &redactHandler{next: h.next.WithAttrs(out), app: h.app}
}

func (h *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{next: h.next.WithGroup(name), app: h.app}
}
