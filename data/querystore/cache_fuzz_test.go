package querystore

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecodeEntry: parse-cache entries are read back from the user's
// cache folder, where anything may have changed them. Any bytes decode to
// queries that encode and decode again to as many queries and problems,
// or give errCorrupt; never a panic or a huge allocation.
func FuzzDecodeEntry(f *testing.F) {
	add := func(name string, src []byte) {
		qs, probs := ParseFile(name, src)
		b, err := encodeEntry(qs, probs)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		if len(b) > 8 {
			f.Add(b[:len(b)/2]) // cut short
		}
	}
	add("q.yaml", []byte(`metadata:
  version: 1
  description: fuzz
  data_environments: [LogAnalytics, MSSentinel]
  data_families: [F, G]
sources:
  q:
    description: one of each parameter kind
    metadata: {pivot: {short_name: x}, n: [1, 2.5, true, null]}
    args:
      query: 'T | where a in ({l}) | where h == "{h}" | where t > datetime({start})'
    parameters:
      l: {description: a list, type: list, default: [a, b]}
      h: {description: a host, type: str, aliases: [host]}
      start: {description: start, type: datetime, default: -1}
`))
	add("bad.yaml", []byte("sources:\n  q: {args: {query: 'x'}}\n"))
	if files, _ := filepath.Glob("../../../shared/corpus/queries-msticpy/*/*.yaml"); len(files) > 0 {
		for _, fn := range files[:min(3, len(files))] {
			if b, err := os.ReadFile(fn); err == nil {
				add(filepath.Base(fn), b)
			}
		}
	}
	f.Add([]byte{})
	f.Add([]byte("\x01"))
	f.Fuzz(func(t *testing.T, b []byte) {
		qs, probs, err := decodeEntry("fuzz.yaml", b)
		if err != nil {
			if !errors.Is(err, errCorrupt) {
				t.Fatalf("error is not errCorrupt: %v", err)
			}
			return
		}
		for _, q := range qs {
			if q.Prepared == nil || q.File != "fuzz.yaml" {
				t.Fatalf("query %q: prepared %v, file %q", q.Name, q.Prepared != nil, q.File)
			}
		}
		again, err := encodeEntry(qs, probs)
		if err != nil {
			t.Fatalf("a decoded entry does not encode: %v", err)
		}
		qs2, probs2, err := decodeEntry("fuzz.yaml", again)
		if err != nil || len(qs2) != len(qs) || len(probs2) != len(probs) {
			t.Fatalf("encoded again, it decodes to %d queries, %d problems (%v), not %d, %d", len(qs2), len(probs2), err, len(qs), len(probs))
		}
	})
}
