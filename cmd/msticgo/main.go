// Command msticgo is the msticgo command line; see internal/cli.
package main

import (
	"os"

	"github.com/msticgo/msticgo/internal/cli"
)

func main() {
	os.Exit(cli.Execute())
}
