// Command msticgo is the msticgo command line (see package internal/cli). It
// links the built-in data drivers; TI and context providers come with the
// CLI's command groups.
package main

import (
	"os"

	_ "github.com/msticgo/msticgo/data/drivers/all" // built-in data drivers
	"github.com/msticgo/msticgo/internal/cli"
)

func main() {
	os.Exit(cli.Execute())
}
