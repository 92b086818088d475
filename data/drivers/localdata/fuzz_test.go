package localdata

import (
	"bytes"
	"testing"
)

func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "\xEF\xBB\xBFa\n2024-01-02\n", ",x\n\"q\"\"\",1.5\n", "a\n\"\n", "a,b\n1\n", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := ReadCSV(bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, r := range fr.Rows {
			if len(r) != len(fr.Columns) {
				t.Fatalf("row has %d values for %d columns", len(r), len(fr.Columns))
			}
		}
	})
}

func FuzzReadJSON(f *testing.F) {
	for _, s := range []string{`[{"a":1},{"b":"2024-01-02T00:00:00Z"}]`, "{\"a\":1}\n{\"a\":[1,{\"c\":null}]}\n", "[", "{\"a\":", "42", "[1]", "  "} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := ReadJSON(bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, r := range fr.Rows {
			if len(r) != len(fr.Columns) {
				t.Fatalf("row has %d values for %d columns", len(r), len(fr.Columns))
			}
		}
	})
}
