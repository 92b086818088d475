package table

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestUniqueNames(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"no repeats", []string{"a", "b"}, []string{"a", "b"}},
		{"pair", []string{"ip", "x", "ip"}, []string{"ip", "x", "ip.1"}},
		{"three", []string{"a", "a", "a"}, []string{"a", "a.1", "a.2"}},
		{"suffix taken later", []string{"a", "a", "a.1"}, []string{"a", "a.1", "a.1.1"}},
		{"suffix taken first", []string{"a.1", "a", "a"}, []string{"a.1", "a", "a.1.1"}}, // as pandas,
		{"case differs", []string{"IP", "ip"}, []string{"IP", "ip"}},
		{"empty names", []string{"", ""}, []string{"", ".1"}},
		{"none", nil, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := slices.Clone(tt.in)
			got := UniqueNames(tt.in)
			if !slices.Equal(got, tt.want) {
				t.Errorf("UniqueNames(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if !slices.Equal(in, tt.in) {
				t.Errorf("UniqueNames changed its input: %q", tt.in)
			}
		})
	}
}

func TestUniqueColumns(t *testing.T) {
	f := NewStrings("ip", "TISeverity", "ip")
	f.Append("1.2.3.4", "pre", "evil.example.com")
	f.UniqueColumns()
	if got, want := f.Names(), []string{"ip", "TISeverity", "ip.1"}; !slices.Equal(got, want) {
		t.Errorf("UniqueColumns: %q, want %q", got, want)
	}
	var nilFrame *Frame
	if nilFrame.UniqueColumns() != nil {
		t.Error("nil frame")
	}
}

// objectKeys returns the keys of each JSON object in s, in order, repeats
// included (encoding/json's Unmarshal would keep only the last).
func objectKeys(t *testing.T, s string) [][]string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	var out [][]string
	var stack []bool // true: object whose next string token is a key
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				out = append(out, nil)
				stack = append(stack, true)
				continue
			case '[':
				stack = append(stack, false)
				continue
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			if len(stack) > 0 && stack[len(stack)-1] {
				// a key: the value follows
				out[len(out)-1] = append(out[len(out)-1], v)
				val := json.RawMessage{}
				if err := dec.Decode(&val); err != nil {
					t.Fatalf("decode value of %q: %v", v, err)
				}
				continue
			}
		}
	}
	return out
}

func TestWritersNeverRepeatAName(t *testing.T) {
	f := NewStrings("ip", "TISeverity", "ip", "tok=S3CRET", "tok=OTHER")
	f.Append("1.2.3.4", "pre", "evil.example.com", "a", "b")
	redact := func(s string) string {
		s = strings.ReplaceAll(s, "S3CRET", "***")
		return strings.ReplaceAll(s, "OTHER", "***")
	}
	want := []string{"ip", "TISeverity", "ip.1", "tok=***", "tok=***.1"}
	for _, format := range []Format{FormatJSON, FormatNDJSON} {
		t.Run(string(format), func(t *testing.T) {
			out := write(t, f, format, Options{Redact: redact})
			objs := objectKeys(t, out)
			if len(objs) != 1 || !slices.Equal(objs[0], want) {
				t.Errorf("keys %q, want %q\n%s", objs, want, out)
			}
			if !strings.Contains(out, `"ip":"1.2.3.4"`) || !strings.Contains(out, `"ip.1":"evil.example.com"`) {
				t.Errorf("values lost: %s", out)
			}
		})
	}
	t.Run("csv", func(t *testing.T) {
		out := write(t, f, FormatCSV, Options{Redact: redact})
		if head, _, _ := strings.Cut(out, "\n"); head != strings.Join(want, ",") {
			t.Errorf("header %q, want %q", head, strings.Join(want, ","))
		}
	})
	t.Run("table", func(t *testing.T) {
		out := write(t, f, FormatTable, Options{Redact: redact})
		if head, _, _ := strings.Cut(out, "\n"); strings.Join(strings.Fields(head), ",") != strings.Join(want, ",") {
			t.Errorf("header %q, want %q", head, want)
		}
	})
	if got := f.Names()[2]; got != "ip" {
		t.Errorf("writing renamed the frame's column: %q", got)
	}
}

func TestReadCSVRepeatedHeader(t *testing.T) {
	f, err := ReadCSV(strings.NewReader("ip,x,ip\n1.2.3.4,y,evil.example.com\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.Names(), []string{"ip", "x", "ip.1"}; !slices.Equal(got, want) {
		t.Errorf("names %q, want %q", got, want)
	}
}
