package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// lookupInputExts: where the fuzzed bytes come from. "" is stdin (the
// format is sniffed from the content); the others are a --file whose
// extension picks the format.
var lookupInputExts = []string{"", ".csv", ".json", ".ndjson", ".jsonl", ".txt"}

// FuzzReadLookupInputs: indicators for ti/context lookup come from a file
// or stdin, as plain lines or (with --column) a CSV, JSON or NDJSON table.
// Any bytes give indicators or one usage error naming the input; never a
// panic, never a blank indicator.
func FuzzReadLookupInputs(f *testing.F) {
	seeds := []struct {
		data, column, typeColumn string
		ext                      uint8
	}{
		{"# iocs\n203.0.113.1\n\n  evil.example  \n\xef\xbb\xbf198.51.100.2\n", "", "", 0},
		{"\xef\xbb\xbfIoc,Type\n203.0.113.1,ipv4\n,dns\nevil.example,\n\"a\nb\",url\n", "ioc", "Type", 1},
		{`[{"Ioc":"203.0.113.1","T":"ipv4"},{"Ioc":null},{"Ioc":7},{"Ioc":"x","T":["a"]}]`, "Ioc", "T", 2},
		{"{\"Ioc\":\"a\"}\n\n{\"ioc\":1.5e3}\n[1]\n", "Ioc", "", 3},
		{`  [{"Ioc": "a"}, 1]`, "Ioc", "", 0},
		{"{\"Ioc\":\"a\"}\n{\"Ioc\":", "Ioc", "", 0},
		{"Ioc\n\"unterminated\n", "Ioc", "", 1},
		{"a\xffb,c\nx,y\n", "a\xffb", "", 0},
		{"", "Ioc", "", 2},
		{"x\n", "", "Type", 0},
	}
	for _, s := range seeds {
		f.Add([]byte(s.data), s.column, s.typeColumn, s.ext)
	}
	f.Fuzz(func(t *testing.T, data []byte, column, typeColumn string, ext uint8) {
		a := newApp(context.Background(), Env{Stdin: strings.NewReader(string(data))})
		o := &lookupOpts{column: column, typeColumn: typeColumn, typ: "default-type"}
		name := "stdin"
		if e := lookupInputExts[int(ext)%len(lookupInputExts)]; e != "" {
			name = filepath.Join(t.TempDir(), "in"+e)
			if err := os.WriteFile(name, data, 0o600); err != nil {
				t.Fatal(err)
			}
			o.file = name
		}
		out, err := readLookupInputs(a, o, nil)
		if err != nil {
			if !IsUsage(err) {
				t.Fatalf("not a usage error: %v", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, name) && !(typeColumn != "" && column == "") {
				t.Fatalf("error does not name %s: %q", name, msg)
			}
			if !utf8.ValidString(msg) {
				t.Fatalf("error is not valid UTF-8: %q", msg)
			}
			return
		}
		if len(out) == 0 {
			t.Fatal("no indicators and no error")
		}
		for i, in := range out {
			if strings.TrimSpace(in.Value) == "" {
				t.Fatalf("indicator %d is blank", i+1)
			}
			if strings.TrimSpace(in.Type) == "" {
				t.Fatalf("indicator %d (%q) has a blank type", i+1, in.Value)
			}
			if column == "" {
				if in.Value != strings.TrimSpace(in.Value) || strings.ContainsAny(in.Value, "\n") || strings.HasPrefix(in.Value, "#") {
					t.Fatalf("plain line %q kept space, a line break or a comment", in.Value)
				}
				if in.Type != o.typ {
					t.Fatalf("plain line %q got type %q", in.Value, in.Type)
				}
			}
		}
	})
}
