// Command benchreport reads `go test -bench` output on stdin and prints the
// median of every metric of every benchmark as a Markdown table. It is run
// by scripts/bench.
package main

import (
	"fmt"
	"os"

	"github.com/msticgo/msticgo/internal/benchreport"
)

func main() {
	res, err := benchreport.Parse(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
	if len(res) == 0 {
		fmt.Fprintln(os.Stderr, "benchreport: no benchmark results on stdin")
		os.Exit(1)
	}
	if err := benchreport.Write(os.Stdout, res); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}
