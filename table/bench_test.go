package table

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"
)

func benchFrame(rows int) *Frame {
	f := New(
		Column{Name: "TimeGenerated", Type: Time},
		Column{Name: "Computer", Type: String},
		Column{Name: "EventID", Type: Int},
		Column{Name: "Score", Type: Float},
		Column{Name: "CommandLine", Type: String},
		Column{Name: "Extra", Type: Any},
	)
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < rows; i++ {
		f.Append(t0.Add(time.Duration(i)*time.Second), fmt.Sprintf("WS-%04d", i%500), int64(4624+i%3), float64(i)/7,
			fmt.Sprintf(`C:\Windows\System32\cmd.exe /c whoami /all & net group "domain admins" /domain %d`, i),
			map[string]any{"k": i})
	}
	return f
}

func BenchmarkWrite(b *testing.B) {
	f := benchFrame(10000)
	for _, format := range Formats {
		b.Run(string(format), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := Write(io.Discard, f, format, Options{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10000, "ns/row")
		})
	}
}

func BenchmarkRead(b *testing.B) {
	f := benchFrame(10000)
	for _, format := range []Format{FormatNDJSON, FormatCSV} {
		var buf bytes.Buffer
		if err := Write(&buf, f, format, Options{}); err != nil {
			b.Fatal(err)
		}
		data := buf.Bytes()
		b.Run(string(format), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				if _, err := Read(bytes.NewReader(data), string(format)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
