package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/msticgo/msticgo/config"
	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/registry"
	"github.com/msticgo/msticgo/table"
)

// msticpyOnlyProviders are provider types MSTICPy has that msticgo does not
// implement: an entry naming one is not a typo, just unused here.
var msticpyOnlyProviders = map[registry.Kind][]string{
	registry.KindTI: {"AzSTI"},
}

// providerTypeProblems checks the Provider type of every TIProviders and
// ContextProviders entry against the providers this binary has (built-ins
// and loaded plugins): an unknown type is a warning with "did you mean"
// (lookups list the entry as not configured, the others answer); a MSTICPy
// type msticgo lacks is a warning too.
func (a *App) providerTypeProblems(cfg *config.Config) []config.Problem {
	reg, _ := a.Registry() // plugin load problems are reported by the loader
	if reg == nil {
		return nil
	}
	var out []config.Problem
	for _, sk := range lookupSections {
		for _, e := range cfg.Section(sk.section) {
			if e.Provider == lookup.NoLoad {
				continue
			}
			if _, err := reg.Lookup(sk.kind, e.Provider); err == nil {
				continue
			}
			p := config.Problem{File: cfg.Path, Path: sk.section + "." + e.Name + ".Provider", Line: e.Line}
			msticpyOnly := false
			for _, n := range msticpyOnlyProviders[sk.kind] {
				msticpyOnly = msticpyOnly || strings.EqualFold(n, e.Provider)
			}
			if msticpyOnly {
				p.Severity = config.SevWarning
				p.Message = fmt.Sprintf("MSTICPy provider type %q is not available in msticgo; the entry is not used", e.Provider)
			} else {
				// A warning, as MSTICPy warns and skips such an entry: lookups
				// list it as not configured and the other entries answer.
				p.Severity = config.SevWarning
				known := reg.Names(sk.kind)
				p.Message = fmt.Sprintf("unknown %s provider type %q", sk.kind, e.Provider)
				if s := registry.Suggest(e.Provider, known); s != "" {
					p.Message += fmt.Sprintf(" (did you mean %q?)", s)
				}
				p.Message += "; the entry is not configured and makes no call; known: " + strings.Join(known, ", ")
			}
			out = append(out, p)
		}
	}
	return out
}

func init() {
	addCommand(func(a *App) *cobra.Command {
		cmd := &cobra.Command{
			Use:   "config",
			Short: "Show and check msticpyconfig.yaml",
		}
		cmd.AddCommand(&cobra.Command{
			Use:   "show",
			Short: "Print the effective configuration as YAML (-o json: JSON), every secret shown as ***",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				cfg, err := a.Config()
				if err != nil {
					return err
				}
				out, err := cfg.RedactedYAML()
				if err != nil {
					return err
				}
				switch a.Format() {
				case table.FormatJSON, table.FormatNDJSON:
					js, err := yamlToJSON(out, a.Format() == table.FormatJSON)
					if err != nil {
						return err
					}
					_, err = fmt.Fprintln(a.Stdout(), a.Redact(string(js)))
					return err
				case table.FormatCSV:
					return UsageErrorf("config show: -o csv is not supported (the configuration is a tree: use -o json or the default YAML)")
				}
				src := cfg.Path
				if src == "" {
					src = "built-in defaults"
				}
				header := fmt.Sprintf("# msticgo effective configuration from %s (%s)\n", src, cfg.From)
				_, err = fmt.Fprint(a.Stdout(), a.Redact(header+string(out)))
				return err
			},
		})
		strict := false
		validate := &cobra.Command{
			Use:   "validate",
			Short: "Check the configuration and list every problem (exit 2 on errors)",
			Long: `Check the configuration and list every problem found, all at once: wrong
shapes (with YAML path and line), Provider types that neither the built-ins
nor the loaded plugins have, unset environment variables, missing required
settings, invalid workspace GUIDs, settings a built-in data driver refuses
(an unknown key, a value of the wrong form), TI and context entries whose
settings make them not configured (a bad Timeout or RateLimit, a setting the
provider does not know or a missing required one; as warnings, since lookups
then skip only that entry), and (as warnings, with "did you mean") unknown
sections, entry keys and TI or context Args keys no provider reads (Tiemout: did
you mean Timeout?), and (as warnings) PluginFolders and --plugins
problems: a folder that does not exist, a plugin file that does not load.
Exit code 2 when any problem is an
error (with --strict, when there is any problem at all).`,
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				a.configReport = true // every problem is in the table, once
				cfg, err := a.Config()
				if err != nil {
					return err
				}
				probs := append(cfg.Validate(), a.providerTypeProblems(cfg)...)
				probs = append(probs, driverSettingProblems(a, cfg)...)
				probs = append(probs, feedPathProblems(cfg)...)
				probs = append(probs, pluginLoadProblems(a, cfg)...)
				probs = append(probs, entrySettingProblems(a, cfg, probs)...)
				src := cfg.Path
				if src == "" {
					src = "built-in defaults"
				}
				if len(probs) == 0 && a.Format() == table.FormatTable {
					_, err := fmt.Fprintf(a.Stdout(), "%s: no problems found\n", src)
					return err
				}
				f := table.New(
					table.Column{Name: "severity", Type: table.String},
					table.Column{Name: "file", Type: table.String},
					table.Column{Name: "line", Type: table.Int},
					table.Column{Name: "path", Type: table.String},
					table.Column{Name: "message", Type: table.String},
				)
				nerr := 0
				for _, p := range probs {
					if p.Severity == config.SevError || strict {
						nerr++
					}
					var line any
					if p.Line > 0 {
						line = int64(p.Line)
					}
					f.Append(string(p.Severity), p.File, line, p.Path, p.Message)
				}
				if err := a.writeUncut(cmd, f); err != nil {
					return err
				}
				if nerr > 0 {
					return UsageErrorf("%s: %d problem(s) to fix", src, nerr)
				}
				return nil
			},
		}
		validate.Flags().BoolVar(&strict, "strict", false, "treat warnings and notes as errors")
		cmd.AddCommand(validate)
		cmd.AddCommand(&cobra.Command{
			Use:   "path",
			Short: "Print which config file is used and how it was found",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				cfg, err := a.Config()
				if err != nil {
					return err
				}
				f := table.NewStrings("path", "from", "dir")
				path := cfg.Path
				if path == "" {
					path = "(built-in defaults)"
				}
				f.Append(path, cfg.From, cfg.Dir())
				return a.Write(f)
			},
		})
		return cmd
	})
}

// driverSettingProblems asks each built-in data driver that a
// DataProviders entry configures whether it accepts the entry's settings,
// as it does when a query runs (its factory reads settings and opens
// nothing). Entries that are not configured (a secret unset) are already
// reported; plugin drivers are not created here, since creating one may
// start a process.
func driverSettingProblems(a *App, cfg *config.Config) []config.Problem {
	reg, _ := a.Registry()
	if reg == nil {
		return nil
	}
	var out []config.Problem
	for _, e := range cfg.DataProviders {
		r, err := reg.Lookup(registry.KindData, e.Provider)
		if err != nil || r.Source.Type != registry.Builtin.Type || !e.Configured() {
			continue
		}
		settings, secrets := e.Settings()
		inst, err := r.Factory(a.Context(), registry.FactoryArgs{LoadedAs: e.Provider, Entry: e.Name,
			Settings: data.SectionSettings(settings, cfg, r), Secrets: secrets, BaseDir: cfg.Dir(), Logger: a.Logger()})
		if c, ok := inst.(io.Closer); ok {
			_ = c.Close()
		}
		if errors.Is(err, data.ErrSettings) {
			out = append(out, config.Problem{File: cfg.Path, Path: e.Section + "." + e.Name + ".Args", Line: e.Line, Severity: config.SevError, Message: err.Error()})
		}
	}
	return out
}
