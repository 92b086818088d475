package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
)

// argsError rewrites cobra's argument-count messages ("requires at least 1
// arg(s), only received 0", "unknown command "x" for ..." for a command
// that takes none) into what to type instead.
func argsError(cmd *cobra.Command, args []string, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	path := strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
	usage := cmd.UseLine()
	switch {
	case len(args) == 0 && (strings.HasPrefix(msg, "requires at least") || strings.HasPrefix(msg, "accepts ")):
		if f := strings.Fields(cmd.Use); len(f) > 1 && f[1] == "Family.name" {
			return fmt.Errorf("%s: give a query name (Family.name); see msticgo query list (usage: %s)", path, usage)
		}
		return fmt.Errorf("%s: missing argument (usage: %s)", path, usage)
	case strings.HasPrefix(msg, "unknown command") && !cmd.HasSubCommands() && len(args) > 0:
		hint := ""
		if cmd.Flags().Lookup("family") != nil {
			hint = fmt.Sprintf(" (to pick a family: --family %s)", args[0])
		}
		return fmt.Errorf("%s takes no arguments; unexpected %q%s", path, args[0], hint)
	case strings.HasPrefix(msg, "accepts ") || strings.HasPrefix(msg, "requires at most"):
		return fmt.Errorf("%s: %d arguments given (usage: %s)", path, len(args), usage)
	}
	return err
}

var (
	flagErrRE = regexp.MustCompile(`^invalid argument "(.*)" for "(.*?)" flag: (.*)$`)
)

// flagError rewrites pflag's value errors, which end in Go's parser text
// (strconv.ParseInt: parsing "abc": invalid syntax; time: unknown unit
// "day" in duration "1day"), into what the flag wants.
func flagError(err error) error {
	m := flagErrRE.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	val, flag, why := m[1], m[2], m[3]
	switch {
	case strings.HasPrefix(why, "strconv.ParseInt") || strings.HasPrefix(why, "strconv.ParseUint"):
		if strings.Contains(why, "value out of range") {
			return fmt.Errorf("%s %q: number out of range", flag, val)
		}
		return fmt.Errorf("%s %q: want a whole number", flag, val)
	case strings.HasPrefix(why, "strconv.ParseFloat"):
		return fmt.Errorf("%s %q: want a number", flag, val)
	case strings.HasPrefix(why, "strconv.ParseBool"):
		return fmt.Errorf("%s %q: want true or false", flag, val)
	case strings.HasPrefix(why, "time: "):
		return fmt.Errorf("%s %q: want a duration such as 24h, 90m or 30s (units: h, m, s, ms; no days: 1 day is 24h)", flag, val)
	}
	return err
}

// pathError words a file-system error on a path the user gave without
// Go's "stat X:" prefix: "no such file or folder", "permission denied".
func pathError(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or folder"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
