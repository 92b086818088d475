// Package notconfigured holds the error shared by executable and Starlark
// plugins when required settings are missing from an entry's Args.
package notconfigured

import (
	"fmt"
	"strings"
)

// Error names the required settings that are missing.
type Error struct {
	Plugin  string
	Missing []string
}

func (e *Error) Error() string {
	return fmt.Sprintf("plugin %s is not configured: missing required setting(s) %s in its Args", e.Plugin, strings.Join(e.Missing, ", "))
}

// NotConfiguredReason is the reason without the plugin name, for the
// lookup engine's "not configured: <reason>" status.
func (e *Error) NotConfiguredReason() string {
	if len(e.Missing) == 1 {
		return "missing required setting " + e.Missing[0]
	}
	return "missing required settings " + strings.Join(e.Missing, ", ")
}
