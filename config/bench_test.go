package config

import (
	"fmt"
	"strings"
	"testing"
)

func BenchmarkParse(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("TIProviders:\n")
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&sb, "  P%d:\n    Provider: VirusTotal\n    Primary: true\n    Args:\n      AuthKey: {EnvironmentVar: K%d}\n      ApiID: 00%d\n", i, i, i)
	}
	data := []byte(sb.String())
	env := func(k string) string { return "v-" + k }
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		if _, err := Parse(data, "bench.yaml", env); err != nil {
			b.Fatal(err)
		}
	}
}
