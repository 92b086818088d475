package benchreport

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseMedians(t *testing.T) {
	in := `goos: linux
pkg: github.com/msticgo/msticgo/ioc
BenchmarkDetect-2   	 1000	       100 ns/op	  10.0 MB/s	       0 B/op
BenchmarkDetect-2   	 1000	       300 ns/op	  30.0 MB/s	       0 B/op
BenchmarkDetect-2   	 1000	       200 ns/op	  20.0 MB/s	       0 B/op
BenchmarkLog says hello
pkg: github.com/msticgo/msticgo/lookup
BenchmarkEngine/instant-2	  500	  10 ns/op
BenchmarkEngine/instant-2	  500	  30 ns/op
PASS
`
	got, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Result{
		{"github.com/msticgo/msticgo/ioc", "BenchmarkDetect", "ns/op", 200, 3},
		{"github.com/msticgo/msticgo/ioc", "BenchmarkDetect", "MB/s", 20, 3},
		{"github.com/msticgo/msticgo/ioc", "BenchmarkDetect", "B/op", 0, 3},
		{"github.com/msticgo/msticgo/lookup", "BenchmarkEngine/instant", "ns/op", 20, 2},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d results %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("result %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	var buf bytes.Buffer
	if err := Write(&buf, got); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "| ioc | BenchmarkDetect | ns/op | 200 | 3 |") {
		t.Errorf("table missing row:\n%s", buf.String())
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{nil, 0}, {[]float64{5}, 5}, {[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tc := range tests {
		if got := Median(tc.in); got != tc.want {
			t.Errorf("Median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
