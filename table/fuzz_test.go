package table

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzRead(f *testing.F) {
	for _, s := range []string{
		`{"ip":"1.2.3.4","n":1}` + "\n" + `{"n":2.5,"x":[1,{"a":null}]}`,
		`[{"b":1,"a":"x"},{"a":null}]`,
		"ip,name\n1.2.3.4,a\n5.6.7.8\n",
		"\xEF\xBB\xBFa,b\n\"x\"\"y\",2\n",
		`{"a":1} {"b":2}`,
		"{\"a\xff\":\"\xfe\"}\n",
		`{"a":1e400,"b":-0,"c":9223372036854775808}`,
		"",
	} {
		for _, format := range []string{"auto", "ndjson", "json", "csv"} {
			f.Add([]byte(s), format)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, format string) {
		fr, err := Read(bytes.NewReader(data), format)
		if err != nil {
			return
		}
		for _, row := range fr.Rows {
			if len(row) != len(fr.Columns) {
				t.Fatalf("row with %d cells for %d columns", len(row), len(fr.Columns))
			}
		}
		for _, out := range Formats {
			var b bytes.Buffer
			if err := Write(&b, fr, out, Options{}); err != nil {
				t.Fatalf("Write %s: %v", out, err)
			}
			if !utf8.Valid(b.Bytes()) {
				t.Fatalf("%s output not UTF-8", out)
			}
			if out == FormatNDJSON {
				back, err := Read(bytes.NewReader(b.Bytes()), "ndjson")
				if err != nil {
					t.Fatalf("ndjson output does not read back: %v\n%s", err, b.String())
				}
				if back.Len() != fr.Len() {
					t.Fatalf("ndjson round trip: %d rows, want %d", back.Len(), fr.Len())
				}
			}
		}
	})
}

func FuzzWriteTable(f *testing.F) {
	f.Add("東京", "e\u0301", 10)
	f.Add("a\x1b[2Jb", "\xff\xfe", 3)
	f.Add("\u200b\u200d👩‍👩‍👧", "\t\n", 1)
	f.Fuzz(func(t *testing.T, a, b string, maxW int) {
		if maxW > 1000 || maxW < -1000 {
			return
		}
		fr := NewStrings(a, b)
		fr.Append(b, a)
		fr.Append(a+b, "")
		var out bytes.Buffer
		if err := WriteTable(&out, fr, Options{MaxWidth: maxW}); err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(out.Bytes()) {
			t.Fatal("output not UTF-8")
		}
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		if len(lines) != 4 {
			t.Fatalf("%d lines, want 4 (a cell broke the layout):\n%q", len(lines), out.String())
		}
	})
}
