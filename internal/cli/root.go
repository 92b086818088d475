// Package cli owns the msticgo command line: the root command and its global
// flags, the App every command shares (config, registry, output, logging,
// clock), the mapping of errors to exit codes, and the command groups, one
// file per area, each registered from init with addCommand.
package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/msticgo/msticgo/table"
)

// Exit codes, the same for every command.
const (
	ExitOK      = 0 // success
	ExitRuntime = 1 // runtime failure
	ExitUsage   = 2 // bad input, usage or configuration
	ExitPartial = 3 // some items failed; every row was still printed
	// ExitInterrupted: the run was stopped by SIGINT/SIGTERM (128+SIGINT,
	// the shell convention); rows already done were still printed.
	ExitInterrupted = 130
)

// ErrInterrupted marks a run stopped by an interrupt (its context was
// cancelled): exit code 130.
var ErrInterrupted = errors.New("interrupted")

// ErrPartial marks a run where some items failed but every row (with its
// status) was printed: exit code 3. Wrap it: fmt.Errorf("2 of 5 lookups
// failed: %w", ErrPartial).
var ErrPartial = errors.New("some items failed")

// usageErr marks bad input, usage or configuration: exit code 2.
type usageErr struct{ err error }

func (e *usageErr) Error() string { return e.err.Error() }
func (e *usageErr) Unwrap() error { return e.err }

// UsageError marks err as bad input, usage or configuration (exit code 2).
// It returns nil for nil.
func UsageError(err error) error {
	if err == nil {
		return nil
	}
	var u *usageErr
	if errors.As(err, &u) {
		return err
	}
	return &usageErr{err: err}
}

// UsageErrorf is UsageError(fmt.Errorf(format, args...)).
func UsageErrorf(format string, args ...any) error {
	return &usageErr{err: fmt.Errorf(format, args...)}
}

// IsUsage reports whether err is (or wraps) a usage error.
func IsUsage(err error) bool {
	var u *usageErr
	return errors.As(err, &u)
}

// ExitCode maps an error to the exit code: nil 0, usage 2, interrupted
// 130, partial 3, anything else 1.
func ExitCode(err error) int {
	switch {
	case err == nil:
		return ExitOK
	case IsUsage(err):
		return ExitUsage
	case errors.Is(err, ErrInterrupted):
		return ExitInterrupted
	case errors.Is(err, ErrPartial):
		return ExitPartial
	}
	return ExitRuntime
}

// commandBuilders are the command groups registered with addCommand.
var commandBuilders []func(a *App) *cobra.Command

// addCommand registers a command group; call it from init() in the area's
// own file. The builder runs once per run with that run's App.
func addCommand(build func(a *App) *cobra.Command) {
	commandBuilders = append(commandBuilders, build)
}

// globalFlagHooks let an area add persistent flags to the root command.
var globalFlagHooks []func(a *App, fs *pflag.FlagSet)

// addGlobalFlags registers a function that adds persistent flags; call it
// from init().
func addGlobalFlags(add func(a *App, fs *pflag.FlagSet)) {
	globalFlagHooks = append(globalFlagHooks, add)
}

func init() {
	// Run every PersistentPreRunE from the root down, so an area's own hook
	// never skips the global flag checks.
	cobra.EnableTraverseRunHooks = true
}

var logLevels = map[string]slog.Level{
	"debug": slog.LevelDebug, "info": slog.LevelInfo,
	"warn": slog.LevelWarn, "warning": slog.LevelWarn, "error": slog.LevelError,
}

// newRoot builds the command tree for one run.
func newRoot(a *App) *cobra.Command {
	root := &cobra.Command{
		Use:   "msticgo",
		Short: "Hunting queries and indicator enrichment with MSTICPy-compatible providers",
		Long: `msticgo runs parameterised hunting queries (MSTICPy query files) against data
providers and looks up indicators with threat-intelligence and context
providers, all configured by the msticpyconfig.yaml MSTICPy users already have.

Exit codes: 0 success, 1 runtime failure, 2 bad input/usage/configuration,
3 partial (some items failed; every row is still printed with its status),
130 interrupted (Ctrl-C, SIGINT or SIGTERM).`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          cobra.NoArgs,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if err := a.prepare(); err != nil {
				return err
			}
			return a.checkPluginDirs(cmd)
		},
	}
	fs := root.PersistentFlags()
	fs.StringVar(&a.configPath, "config", "", "msticpyconfig.yaml to use (default: $MSTICPYCONFIG, ./msticpyconfig.yaml, ~/.msticpy/msticpyconfig.yaml)")
	fs.StringArrayVar(&a.pluginDirs, "plugins", nil, "plugin folder to load (repeatable), in addition to PluginFolders in the config")
	fs.StringArrayVar(&a.queryPaths, "query-path", nil, "folder of query files to load (repeatable), in addition to QueryDefinitions in the config")
	fs.StringVarP(&a.output, "output", "o", "table", "output format: table, json, ndjson or csv")
	fs.StringVar(&a.logLevel, "log-level", "info", "log level on stderr: debug, info, warn or error")
	fs.IntVar(&a.maxWidth, "max-width", 0, "widest table cell in characters before it is cut with … (0: 60, a single token such as a hash or URL up to 128 kept whole; -1: no limit; config validate: no limit unless given)")
	_ = root.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"table", "json", "ndjson", "csv"}, cobra.ShellCompDirectiveNoFileComp
	})
	_ = root.RegisterFlagCompletionFunc("log-level", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"debug", "info", "warn", "error"}, cobra.ShellCompDirectiveNoFileComp
	})
	_ = root.MarkPersistentFlagFilename("config", "yaml", "yml")
	_ = root.MarkPersistentFlagDirname("plugins")
	_ = root.MarkPersistentFlagDirname("query-path")
	for _, h := range globalFlagHooks {
		h(a, fs)
	}
	for _, build := range commandBuilders {
		if c := build(a); c != nil {
			root.AddCommand(c)
		}
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return UsageError(flagError(err)) })
	// The completion command is otherwise added at Execute, after finishTree:
	// "completion tcsh" then printed help with exit 0. Its scripts go to the
	// writer set when it is created.
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.InitDefaultCompletionCmd()
	finishTree(root)
	return root
}

// finishTree makes every argument error a usage error and makes a command
// group given an unknown sub-command fail (exit 2) instead of printing help.
func finishTree(c *cobra.Command) {
	c.SuggestionsMinimumDistance = 2
	if c.HasSubCommands() && c.Run == nil && c.RunE == nil {
		group := c
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			msg := fmt.Sprintf("unknown command %q for %q", args[0], group.CommandPath())
			var subs []string
			for _, sub := range group.Commands() {
				if sub.IsAvailableCommand() {
					subs = append(subs, sub.Name())
				}
			}
			if s := group.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf(" (did you mean %q?", s[0])
				if len(subs) <= 6 { // a short list says more than a guess
					msg += " commands: " + strings.Join(subs, ", ")
				}
				msg += ")"
			} else {
				msg += " (commands: " + strings.Join(subs, ", ") + ")"
			}
			return UsageErrorf("%s; run '%s --help'", msg, group.CommandPath())
		}
	} else if c.Args != nil {
		inner := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			return UsageError(argsError(cmd, args, inner(cmd, args)))
		}
	}
	for _, sub := range c.Commands() {
		finishTree(sub)
	}
}

// checkPluginDirs: a --plugins folder typed on the command line that is not
// there is a mistake to report (exit 2) before the command does anything, as
// for --config and --query-path. The plugins commands are the exception:
// they load every other folder, list the problem among their rows and then
// exit 2. PluginFolders in the config only warn, as MSTICPy does.
func (a *App) checkPluginDirs(cmd *cobra.Command) error {
	for c := cmd; c != nil; c = c.Parent() {
		if c.Name() == "plugins" && c.Parent() != nil && !c.Parent().HasParent() {
			return nil
		}
	}
	for _, d := range a.pluginDirs {
		switch st, err := os.Stat(d); {
		case err != nil:
			return UsageErrorf("--plugins %s: no such folder", d)
		case !st.IsDir():
			return UsageErrorf("--plugins %s: not a folder (give the folder that holds the plugin files)", d)
		}
	}
	return nil
}

// prepare checks the global flags and MSTICGO_NOW before any command runs.
func (a *App) prepare() error {
	f, err := table.ParseFormat(a.output)
	if err != nil {
		return UsageErrorf("-o/--output: %w", err)
	}
	a.format = f
	lvl, ok := logLevels[strings.ToLower(strings.TrimSpace(a.logLevel))]
	if !ok {
		return UsageErrorf("--log-level: unknown level %q (want debug, info, warn or error)", a.logLevel)
	}
	a.level.Set(lvl)
	if a.maxWidth < -1 {
		return UsageErrorf("--max-width %d: want -1 (no limit), 0 (the default, 60) or a width in characters", a.maxWidth)
	}
	if s := strings.TrimSpace(a.getenv("MSTICGO_NOW")); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return UsageErrorf("MSTICGO_NOW=%q is not an RFC 3339 time (e.g. 2024-03-01T12:00:00Z)", s)
		}
		a.now = t
	}
	return nil
}

// Run runs one command line with the given streams and environment and
// returns the exit code. Errors are printed to env.Stderr as one line each,
// "msticgo: <message>", with secret values redacted.
func Run(ctx context.Context, env Env) (code int) {
	a := newApp(ctx, env)
	defer func() {
		if r := recover(); r != nil {
			// a panic message may carry anything: redact it, keep it on one line
			a.loadSecretsQuietly()
			fmt.Fprintln(a.stderr, "msticgo: internal error: "+oneLine(a.Redact(fmt.Sprint(r))))
			code = ExitRuntime
		}
	}()
	root := newRoot(a)
	root.SetArgs(groupHelpArgs(root, env.Args))
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.ExecuteContext(ctx)
	if err != nil && !IsUsage(err) && isCobraUsage(err) {
		err = UsageError(err)
	}
	if err != nil && ctx.Err() != nil && !IsUsage(err) {
		err = fmt.Errorf("%w: %w", ErrInterrupted, err)
	}
	if err != nil {
		a.loadSecretsQuietly()
		msg := err.Error()
		if errors.Is(err, ErrPartial) {
			// "2 of 5 lookups failed (2 timeout)" says it already
			msg = strings.TrimSuffix(msg, ": "+ErrPartial.Error())
		}
		for _, line := range strings.Split(strings.TrimRight(a.Redact(msg), "\n"), "\n") {
			if strings.TrimSpace(line) != "" {
				fmt.Fprintln(a.stderr, "msticgo: "+line)
			}
		}
	}
	return ExitCode(err)
}

// isCobraUsage recognises the errors cobra returns for bad command lines
// before any command runs (unknown commands, flags and arguments).
func isCobraUsage(err error) bool {
	s := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "requires at most", "required flag"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Execute runs the process's command line (os.Args, standard streams,
// environment) with a context cancelled on SIGINT/SIGTERM, and returns the
// exit code for os.Exit. A second signal ends the process at once with
// exit code 130, for work that cannot notice the first (a read stuck on a
// stalled network file system).
func Execute() int {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		if _, ok := <-sigs; !ok {
			return
		}
		cancel()
		if _, ok := <-sigs; ok {
			fmt.Fprintln(os.Stderr, "msticgo: interrupted twice: stopping now")
			os.Exit(ExitInterrupted)
		}
	}()
	return Run(ctx, Env{Args: os.Args[1:], Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
}

// groupHelpArgs drops --help/-h when they would reach a command group
// (the root, query, ti...): the group then prints its help when it is
// given no sub-command, as --help does, and an unknown sub-command
// ("msticgo feeds --help") is the usual one-line error, exit 2, instead of
// the group's help and exit 0.
func groupHelpArgs(root *cobra.Command, args []string) []string {
	c, _, err := root.Find(args)
	if err != nil || c == nil || !c.HasSubCommands() || c.Run != nil || c.RunE == nil {
		return args
	}
	out := make([]string, 0, len(args))
	for _, x := range args {
		if x == "--" {
			return args // leave anything after -- alone
		}
		if x != "--help" && x != "-h" {
			out = append(out, x)
		}
	}
	return out
}
