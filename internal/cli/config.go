package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/msticgo/msticgo/config"
	"github.com/msticgo/msticgo/table"
)

func init() {
	addCommand(func(a *App) *cobra.Command {
		cmd := &cobra.Command{
			Use:   "config",
			Short: "Show and check msticpyconfig.yaml",
		}
		cmd.AddCommand(&cobra.Command{
			Use:   "show",
			Short: "Print the effective configuration as YAML, every secret shown as ***",
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
shapes (with YAML path and line), unset environment variables, missing
required settings, invalid workspace GUIDs. Exit code 2 when any problem is
an error (with --strict, when there is any problem at all).`,
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				cfg, err := a.Config()
				if err != nil {
					return err
				}
				probs := cfg.Validate()
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
				if err := a.Write(f); err != nil {
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
				f.Append(cfg.Path, cfg.From, cfg.Dir())
				return a.Write(f)
			},
		})
		return cmd
	})
}
