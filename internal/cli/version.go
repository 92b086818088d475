package cli

import (
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/msticgo/msticgo/table"
)

// Version is the msticgo version, set at build time with
// -ldflags "-X github.com/msticgo/msticgo/internal/cli.Version=v1.2.3".
var Version = "dev"

func init() {
	addCommand(func(a *App) *cobra.Command {
		return &cobra.Command{
			Use:   "version",
			Short: "Print the msticgo version",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				commit, modified := "", false
				if bi, ok := debug.ReadBuildInfo(); ok {
					for _, s := range bi.Settings {
						switch s.Key {
						case "vcs.revision":
							commit = s.Value
						case "vcs.modified":
							modified = s.Value == "true"
						}
					}
				}
				if len(commit) > 12 {
					commit = commit[:12]
				}
				if commit != "" && modified {
					commit += "+dirty"
				}
				if a.Format() == table.FormatTable {
					line := "msticgo " + Version + " (" + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
					if commit != "" {
						line += ", commit " + commit
					}
					_, err := a.Stdout().Write([]byte(line + ")\n"))
					return err
				}
				f := table.NewStrings("version", "go", "platform", "commit")
				f.Append(Version, runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH, commit)
				return a.Write(f)
			},
		}
	})
}
