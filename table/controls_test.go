package table

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

// unsafeOut reports the first character that must not reach a terminal raw.
func unsafeOut(s string, keepLayout bool) (rune, bool) {
	for _, r := range s {
		if keepLayout && (r == '\n' || r == '\t') {
			continue
		}
		if r == '\n' {
			continue // line ends of the format itself
		}
		if unsafeRune(r) {
			return r, true
		}
	}
	return 0, false
}

func TestNoRawControlsInAnyFormat(t *testing.T) {
	hostile := "a\x1b[31mred\x07\x08\x00\x7f\u009b2J\u202egnp.exe\u2066x\u2069\r"
	f := NewStrings("col\x1b]0;title\x07", "m")
	f.Append(hostile, nil)
	f.Rows = append(f.Rows, []any{"ok", map[string]any{"k\u202d": []any{hostile}}})
	for _, format := range Formats {
		out := write(t, f, format, Options{})
		if r, bad := unsafeOut(out, format == FormatCSV); bad {
			t.Errorf("%s: raw %U in %q", format, r, out)
		}
	}
}

func TestCSVEscapesControlsDocumentedWay(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "abc", "abc"},
		{"tab and newline kept", "a\tb\nc", "a\tb\nc"},
		{"CRLF becomes LF", "l1\r\nl2", "l1\nl2"},
		{"lone CR escaped", "abc\rX", `abc\rX`},
		{"ESC", "\x1b[31mred", `\x1b[31mred`},
		{"BEL BS NUL DEL", "\x07\x08\x00\x7f", `\x07\x08\x00\x7f`},
		{"C1 CSI", "\u009b2J", `\x9b2J`},
		{"bidi override", "\u202egnp.exe", `\u202egnp.exe`},
		{"bidi isolates", "\u2066x\u2069", `\u2066x\u2069`},
		{"wide text kept", "東京 مرحبا", "東京 مرحبا"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewStrings("v")
			f.Append(tt.in)
			out := write(t, f, FormatCSV, Options{})
			recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 2 || recs[1][0] != tt.want {
				t.Errorf("got %q, want %q", recs, tt.want)
			}
		})
	}
}

func TestJSONEscapesAreLossless(t *testing.T) {
	in := "a\x1b\x7f\u009b\u202e\u2069東京"
	f := NewStrings("v\u202e")
	f.Append(in)
	for _, format := range []Format{FormatJSON, FormatNDJSON} {
		out := write(t, f, format, Options{})
		if r, bad := unsafeOut(out, false); bad {
			t.Fatalf("%s: raw %U in %q", format, r, out)
		}
		for _, esc := range []string{`\u001b`, `\u007f`, `\u009b`, `\u202e`, `\u2069`} {
			if !strings.Contains(out, esc) {
				t.Errorf("%s: no %s in %q", format, esc, out)
			}
		}
		var got []map[string]string
		src := out
		if format == FormatNDJSON {
			src = "[" + strings.TrimSpace(out) + "]"
		}
		if err := json.Unmarshal([]byte(src), &got); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if len(got) != 1 || got[0]["v\u202e"] != in {
			t.Errorf("%s: decoded %q, want %q", format, got, in)
		}
	}
}

func TestTableEscapesBidiControls(t *testing.T) {
	f := NewStrings("v")
	f.Append("invoice\u202egnp.exe \u2067x\u2069 \u202a\u202b\u202c\u202d")
	out := write(t, f, FormatTable, Options{MaxWidth: -1})
	if r, bad := unsafeOut(out, false); bad {
		t.Fatalf("raw %U in %q", r, out)
	}
	if !strings.Contains(out, `invoice\u202egnp.exe \u2067x\u2069 \u202a\u202b\u202c\u202d`) {
		t.Errorf("bidi controls not escaped: %q", out)
	}
}
