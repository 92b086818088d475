// Package benchreport turns the text output of `go test -bench` (run with
// -count N) into a table of medians per benchmark and metric, so figures
// quoted in docs/performance.md are medians, not single timings.
package benchreport

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Result is the median of one metric of one benchmark over its runs.
type Result struct {
	Package   string
	Benchmark string
	Metric    string // ns/op, B/op, allocs/op, MB/s, or a custom ReportMetric unit
	Median    float64
	Runs      int
}

// Parse reads `go test -bench` output and returns the medians, in the order
// benchmarks first appear, metrics in the order they appear on the line.
func Parse(r io.Reader) ([]Result, error) {
	type key struct{ pkg, bench, metric string }
	values := map[key][]float64{}
	var order []key
	pkg := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1024*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "pkg: ") {
			pkg = strings.TrimSpace(strings.TrimPrefix(line, "pkg: "))
			continue
		}
		if !strings.HasPrefix(line, "Benchmark") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 4 {
			continue
		}
		name := trimProcs(fields[0])
		if _, err := strconv.ParseInt(fields[1], 10, 64); err != nil {
			continue // not a result line (e.g. a log line starting with Benchmark)
		}
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				break
			}
			k := key{pkg, name, fields[i+1]}
			if _, ok := values[k]; !ok {
				order = append(order, k)
			}
			values[k] = append(values[k], v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading benchmark output: %w", err)
	}
	out := make([]Result, 0, len(order))
	for _, k := range order {
		out = append(out, Result{Package: k.pkg, Benchmark: k.bench, Metric: k.metric,
			Median: Median(values[k]), Runs: len(values[k])})
	}
	return out, nil
}

// trimProcs drops the -N GOMAXPROCS suffix go test adds to names.
func trimProcs(name string) string {
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if _, err := strconv.Atoi(name[i+1:]); err == nil {
			return name[:i]
		}
	}
	return name
}

// Median of a non-empty slice (the mean of the middle two for even lengths).
func Median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Write prints results as a Markdown table.
func Write(w io.Writer, results []Result) error {
	if _, err := fmt.Fprintln(w, "| package | benchmark | metric | median | runs |\n|---|---|---|---:|---:|"); err != nil {
		return err
	}
	for _, r := range results {
		pkg := r.Package
		pkg = strings.TrimPrefix(pkg, "github.com/msticgo/msticgo/")
		if _, err := fmt.Fprintf(w, "| %s | %s | %s | %s | %d |\n", pkg, r.Benchmark, r.Metric, format(r.Median), r.Runs); err != nil {
			return err
		}
	}
	return nil
}

func format(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}
