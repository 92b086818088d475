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
				bi, _ := debug.ReadBuildInfo()
				version, commit := versionInfo(Version, bi)
				if a.Format() == table.FormatTable {
					line := "msticgo " + version + " (" + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
					if commit != "" {
						line += ", commit " + commit
					} else {
						line += ", commit unknown: built without VCS stamping"
					}
					_, err := a.Stdout().Write([]byte(line + ")\n"))
					return err
				}
				f := table.NewStrings("version", "go", "platform", "commit")
				f.Append(version, runtime.Version(), runtime.GOOS+"/"+runtime.GOARCH, commit)
				return a.Write(f)
			},
		}
	})
}

// versionInfo is the version to show (the -X value; when that is "dev",
// the module version of a "go install ...@version" build) and the commit
// (vcs.revision, 12 digits, "+dirty" when modified; "" when the build has
// no VCS stamp: GOFLAGS=-buildvcs=false, a git worktree, no git).
func versionInfo(version string, bi *debug.BuildInfo) (string, string) {
	if bi == nil {
		return version, ""
	}
	if version == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		version = bi.Main.Version
	}
	commit, modified := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if len(commit) > 12 {
		commit = commit[:12]
	}
	if commit != "" && modified {
		commit += "+dirty"
	}
	return version, commit
}
