package localdata

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/msticgo/msticgo/internal/testcorpus"
)

// BenchmarkReadCSVCorpus loads the 3.7 MB MDE process export.
func BenchmarkReadCSVCorpus(b *testing.B) {
	p := testcorpus.Path(b, "logs", "msticpy-testdata", "mde_proc_cs1.csv")
	raw, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadCSV(bytes.NewReader(raw)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadCSVGenerated loads 100k generated logon rows (8 columns).
func BenchmarkReadCSVGenerated(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("TimeGenerated,Computer,EventID,Account,LogonType,IpAddress,Bytes,Score\n")
	for i := 0; i < 100_000; i++ {
		fmt.Fprintf(&buf, "2026-11-%02d %02d:%02d:%02d,WS-%d,%d,NORTHWIND\\user%d,%d,10.0.%d.%d,%d,%d.%d\n",
			1+i%28, i%24, i%60, (i*7)%60, i%500, 4624+i%2, i%97, 2+i%9, (i/256)%256, i%256, i*13, i%100, i%10)
	}
	raw := buf.Bytes()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := ReadCSV(bytes.NewReader(raw))
		if err != nil || f.Len() != 100_000 {
			b.Fatal(err)
		}
	}
}
