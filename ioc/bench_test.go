package ioc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/msticgo/msticgo/internal/testcorpus"
)

// benchIndicators is a realistic mixed list: every line of the corpus IoC
// lists (hashes, LOKI "HASH;COMMENT" and C2 entries, defanged URLs,
// domains, prose lines that are no indicator at all), split at ';'.
func benchIndicators(b *testing.B) []string {
	dir := testcorpus.Path(b, "iocs")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if i := strings.IndexByte(line, ';'); i > 0 {
				line = line[:i]
			}
			line = strings.TrimPrefix(line, "- ")
			out = append(out, line)
		}
	}
	if len(out) == 0 {
		b.Skip("no indicators in corpus")
	}
	return out
}

func BenchmarkDetect(b *testing.B) {
	list := benchIndicators(b)
	defer lockThread()()
	b.ReportAllocs()
	b.ResetTimer()
	c0, ok := threadCPU()
	for i := 0; i < b.N; i++ {
		Detect(list[i%len(list)])
	}
	c1, _ := threadCPU()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mstrings/s")
	if ok && c1 > c0 {
		b.ReportMetric(float64(b.N)/(c1-c0).Seconds()/1e6, "cpu-Mstrings/s")
	}
}

func BenchmarkClassify(b *testing.B) {
	list := benchIndicators(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Classify(list[i%len(list)])
	}
}

// benchText is the corpus logs and IoC text repeated to about 10 MB.
func benchText(b *testing.B) string {
	var parts []string
	for _, pat := range []string{
		filepath.Join(testcorpus.Path(b, "iocs"), "*.txt"),
		filepath.Join(testcorpus.Path(b, "logs", "msticpy-testdata"), "*.csv"),
		filepath.Join(testcorpus.Path(b, "logs", "msticpy-testdata"), "*.txt"),
		filepath.Join(testcorpus.Path(b, "logs", "security-datasets"), "*.json"),
	} {
		files, _ := filepath.Glob(pat)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			parts = append(parts, string(data))
		}
	}
	one := strings.Join(parts, "\n")
	if len(one) == 0 {
		b.Skip("no text in corpus")
	}
	const target = 10 << 20
	var sb strings.Builder
	for sb.Len() < target {
		rest := target - sb.Len()
		if rest >= len(one) {
			sb.WriteString(one)
		} else {
			sb.WriteString(one[:rest])
		}
	}
	return sb.String()
}

func BenchmarkExtract(b *testing.B) {
	text := benchText(b)
	b.SetBytes(int64(len(text)))
	defer lockThread()()
	b.ReportAllocs()
	b.ResetTimer()
	c0, ok := threadCPU()
	for i := 0; i < b.N; i++ {
		Extract(text)
	}
	c1, _ := threadCPU()
	if ok && c1 > c0 {
		b.ReportMetric(float64(b.N)*float64(len(text))/(c1-c0).Seconds()/1e6, "cpu-MB/s")
	}
}
