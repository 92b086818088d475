package duckdb

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/msticgo/msticgo/data"
)

// writeLogRows writes n JSON-lines logon/network events (about 190 bytes
// each) to path, deterministically.
func writeLogRows(tb testing.TB, path string, n int) int64 {
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	events := []int{4624, 4625, 4688, 5156}
	for i := 0; i < n; i++ {
		fmt.Fprintf(w, `{"TimeGenerated":"2026-11-%02dT%02d:%02d:%02d.%03dZ","Computer":"WS-%04d","EventID":%d,"Account":"NORTHWIND\\user%d","LogonType":%d,"SourceIP":"10.%d.%d.%d","DestinationIP":"%d.%d.%d.%d","Bytes":%d}`+"\n",
			1+i%28, i%24, i%60, (i/7)%60, i%1000, i%2000, events[i%4], i%5000, 2+(i%5)*2+(i%3),
			(i/65536)%256, (i/256)%256, i%256, 1+(i*7)%223, (i*13)%256, (i*17)%256, (i*19)%256, (i*31)%100000)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	st, _ := f.Stat()
	f.Close()
	return st.Size()
}

// peakRSS resets (when allowed) and reads the process's peak resident set
// size from /proc (Linux); 0 elsewhere.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

func peakRSS() float64 {
	if runtime.GOOS != "linux" {
		return 0
	}
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb * 1024
		}
	}
	return 0
}

// BenchmarkFilterAggregate1M: DuckDB filter-and-aggregate over 1M generated
// JSON-lines log rows read straight from the file (issue 3 speed target).
// Reports rows/s and the peak RSS of the process during the iterations.
func BenchmarkFilterAggregate1M(b *testing.B) {
	const rows = 1_000_000
	path := filepath.Join(b.TempDir(), "events.json")
	size := writeLogRows(b, path, rows)
	d := New(Options{}, nil)
	if err := d.Connect(context.Background(), ""); err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	q := data.Query{Text: `
SELECT Computer, count(*) AS Failures, count(DISTINCT SourceIP) AS Sources, sum(Bytes) AS Bytes
FROM read_json($1, format = 'newline_delimited',
  columns = {'TimeGenerated': 'TIMESTAMPTZ', 'Computer': 'VARCHAR', 'EventID': 'INTEGER', 'Account': 'VARCHAR',
             'LogonType': 'INTEGER', 'SourceIP': 'VARCHAR', 'DestinationIP': 'VARCHAR', 'Bytes': 'BIGINT'})
WHERE EventID = 4625 AND LogonType IN (3, 10)
GROUP BY Computer
ORDER BY Failures DESC, Computer
LIMIT 20`, Args: []any{path}}
	runtime.GC()
	resetPeakRSS()
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		res, err := d.Query(context.Background(), q)
		if err != nil {
			b.Fatal(err)
		}
		if res.Frame.Len() != 20 {
			b.Fatalf("rows %d", res.Frame.Len())
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(peakRSS()/(1<<20), "peak-RSS-MB")
}

// BenchmarkFilterAggregate1MAuto is the same with read_json_auto (type
// detection on every run).
func BenchmarkFilterAggregate1MAuto(b *testing.B) {
	const rows = 1_000_000
	path := filepath.Join(b.TempDir(), "events.json")
	size := writeLogRows(b, path, rows)
	d := New(Options{}, nil)
	if err := d.Connect(context.Background(), ""); err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	q := data.Query{Text: `
SELECT Computer, count(*) AS Failures, count(DISTINCT SourceIP) AS Sources, sum(Bytes) AS Bytes
FROM read_json_auto($1)
WHERE EventID = 4625 AND LogonType IN (3, 10)
GROUP BY Computer ORDER BY Failures DESC, Computer LIMIT 20`, Args: []any{path}}
	runtime.GC()
	resetPeakRSS()
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		if _, err := d.Query(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(peakRSS()/(1<<20), "peak-RSS-MB")
}
