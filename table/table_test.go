package table

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
)

func sample() *Frame {
	f := New(
		Column{Name: "name", Type: String},
		Column{Name: "count", Type: Int},
		Column{Name: "score", Type: Float},
		Column{Name: "ok", Type: Bool},
		Column{Name: "when", Type: Time},
		Column{Name: "extra", Type: Any},
	)
	ts := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Append("alpha", int64(3), 1.5, true, ts, map[string]any{"k": []any{int64(1), "x"}})
	f.Append("東京", int64(12), math.NaN(), false, nil, nil)
	return f
}

func write(t *testing.T, f *Frame, format Format, opts Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, f, format, opts); err != nil {
		t.Fatalf("Write %s: %v", format, err)
	}
	if !utf8.Valid(b.Bytes()) {
		t.Fatalf("%s output is not valid UTF-8: %q", format, b.String())
	}
	return b.String()
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"table": FormatTable, "JSON": FormatJSON, " ndjson": FormatNDJSON, "jsonl": FormatNDJSON, "csv": FormatCSV} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("xml"); err == nil || !strings.Contains(err.Error(), "table, json, ndjson or csv") {
		t.Errorf("ParseFormat(xml) = %v", err)
	}
}

func TestJSONKeepsColumnOrderAndTypes(t *testing.T) {
	out := write(t, sample(), FormatJSON, Options{})
	first := strings.Index(out, `"name"`)
	for _, k := range []string{`"count"`, `"score"`, `"ok"`, `"when"`, `"extra"`} {
		i := strings.Index(out, k)
		if i < first {
			t.Errorf("key %s out of order in %s", k, out)
		}
		first = i
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(rows) != 2 || rows[0]["count"] != float64(3) || rows[0]["when"] != "2024-03-01T12:00:00Z" || rows[1]["score"] != nil || rows[1]["name"] != "東京" {
		t.Errorf("rows = %v", rows)
	}
	if rows[0]["extra"].(map[string]any)["k"].([]any)[1] != "x" {
		t.Errorf("nested value = %v", rows[0]["extra"])
	}
}

func TestNDJSON(t *testing.T) {
	out := write(t, sample(), FormatNDJSON, Options{})
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("lines = %q", lines)
	}
	if !strings.HasPrefix(lines[0], `{"name":"alpha","count":3,"score":1.5,"ok":true,"when":"2024-03-01T12:00:00Z"`) {
		t.Errorf("line 0 = %s", lines[0])
	}
	back, err := Read(strings.NewReader(out), "ndjson")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(back.Names(), ",") != "name,count,score,ok,when,extra" || back.Columns[1].Type != Int || back.Rows[0][1] != int64(3) {
		t.Errorf("round trip = %+v", back)
	}
}

func TestCSV(t *testing.T) {
	f := NewStrings("a", "b")
	f.Append("x,y", "line1\nline2")
	f.Append(`q"uote`, nil)
	out := write(t, f, FormatCSV, Options{})
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"a", "b"}, {"x,y", "line1\nline2"}, {`q"uote`, ""}}
	if len(recs) != 3 || recs[1][0] != want[1][0] || recs[1][1] != want[1][1] || recs[2][0] != want[2][0] || recs[2][1] != "" {
		t.Errorf("records = %q", recs)
	}
}

func TestEmptyFrameKeepsColumns(t *testing.T) {
	f := NewStrings("kind", "name")
	tests := map[Format]string{
		FormatTable:  "kind  name\n----  ----\n",
		FormatJSON:   "[]\n",
		FormatNDJSON: "",
		FormatCSV:    "kind,name\n",
	}
	for format, want := range tests {
		if got := write(t, f, format, Options{}); got != want {
			t.Errorf("%s: %q, want %q", format, got, want)
		}
	}
}

func TestTableAlignmentCountsDisplayWidth(t *testing.T) {
	f := New(Column{Name: "city", Type: String}, Column{Name: "n", Type: Int})
	f.Append("東京", int64(5))
	f.Append("Zürich", int64(123))
	f.Append("e\u0301clair", int64(7)) // combining accent: 6 columns wide
	out := write(t, f, FormatTable, Options{})
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	// every "n" value ends in the same display column
	want := runewidth.StringWidth(lines[0])
	for _, l := range lines[1:] {
		if w := runewidth.StringWidth(l); w != want {
			t.Errorf("line %q is %d columns wide, header %d:\n%s", l, w, want, out)
		}
	}
	if !strings.HasPrefix(lines[2], "東京    ") { // 4 columns + padding to 6 + 2 spaces
		t.Errorf("wide chars padded wrongly: %q", lines[2])
	}
}

func TestTableTruncatesVisibly(t *testing.T) {
	f := NewStrings("v")
	f.Append(strings.Repeat("a", 100))
	f.Append(strings.Repeat("語", 50))
	out := write(t, f, FormatTable, Options{MaxWidth: 10})
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n")[2:] {
		if !strings.HasSuffix(l, "…") || runewidth.StringWidth(l) > 10 {
			t.Errorf("cell %q not cut to 10 columns with …", l)
		}
	}
	full := write(t, f, FormatTable, Options{MaxWidth: -1})
	if !strings.Contains(full, strings.Repeat("a", 100)) {
		t.Error("MaxWidth -1 still truncates")
	}
	// (a single token up to TokenMaxWidth is kept whole by default: text)
	words := NewStrings("v")
	words.Append(strings.Repeat("a ", 50))
	if def := write(t, words, FormatTable, Options{}); strings.Contains(def, strings.Repeat("a ", DefaultMaxWidth/2+1)) {
		t.Error("default width not applied")
	}
}

func TestInvalidUTF8BecomesReplacementEverywhere(t *testing.T) {
	bad := "ab\xff\xfecd"
	f := New(Column{Name: "col\xff", Type: String}, Column{Name: "m", Type: Any})
	f.Append(bad, map[string]any{"k\xff": []any{bad}})
	for _, format := range Formats {
		out := write(t, f, format, Options{})
		if !strings.Contains(out, "ab\uFFFD") {
			t.Errorf("%s: no U+FFFD in %q", format, out)
		}
	}
}

func TestTableEscapesControlCharacters(t *testing.T) {
	f := NewStrings("v")
	f.Append("a\nb\tc\x1b[31mred")
	out := write(t, f, FormatTable, Options{})
	if strings.Contains(out, "\x1b") || !strings.Contains(out, `a\nb\tc\x1b[31mred`) {
		t.Errorf("controls not escaped: %q", out)
	}
}

func TestRedactAppliesToEveryFormat(t *testing.T) {
	f := NewStrings("url", "note")
	f.Append("https://x/?key=SECRET123", map[string]any{"k": "SECRET123"})
	red := func(s string) string { return strings.ReplaceAll(s, "SECRET123", "***") }
	for _, format := range Formats {
		if out := write(t, f, format, Options{Redact: red}); strings.Contains(out, "SECRET123") {
			t.Errorf("%s leaks: %s", format, out)
		}
	}
}

func TestShortRowsAndOddValues(t *testing.T) {
	f := NewStrings("a", "b", "c")
	f.Rows = append(f.Rows, []any{"only"})
	f.Append(int(7), float32(0.5), time.Second)
	for _, format := range Formats {
		write(t, f, format, Options{})
	}
	if got := FormatValue(math.Inf(1)); got != "+Inf" {
		t.Errorf("FormatValue(+Inf) = %q", got)
	}
	if got := FormatValue(1e21); got != "1000000000000000000000" {
		t.Errorf("FormatValue(1e21) = %q", got)
	}
}

func TestRead(t *testing.T) {
	tests := []struct {
		name, format, in string
		cols             string
		types            []Type
		rows             int
	}{
		{"ndjson", "ndjson", `{"ip":"1.2.3.4","n":1}` + "\n\n" + `{"n":2.5,"ip":"5.6.7.8","x":true}` + "\n", "ip,n,x", []Type{String, Float, Bool}, 2},
		{"ndjson auto with BOM", "auto", "\xEF\xBB\xBF" + `{"a":1}`, "a", []Type{Int}, 1},
		{"json array", "json", `[{"b":1,"a":"x"},{"a":null}]`, "b,a", []Type{Int, String}, 2},
		{"json object", "auto", ` {"a":{"n":[1,2]}}`, "a", []Type{Any}, 1},
		{"json mixed", "json", `[{"a":1},{"a":"s"}]`, "a", []Type{Any}, 2},
		{"csv", "csv", "ip,name\n1.2.3.4,a\n5.6.7.8\n", "ip,name", []Type{String, String}, 2},
		{"csv auto", "", "ip\n1.1.1.1\n", "ip", []Type{String}, 1},
		{"empty", "auto", "  \n", "", nil, 0},
		{"empty json", "json", "[]", "", nil, 0},
		{"big int stays exact", "ndjson", `{"n":9007199254740993}`, "n", []Type{Int}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Read(strings.NewReader(tt.in), tt.format)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(f.Names(), ",") != tt.cols || f.Len() != tt.rows {
				t.Fatalf("columns %v rows %d", f.Names(), f.Len())
			}
			for i, ty := range tt.types {
				if f.Columns[i].Type != ty {
					t.Errorf("column %s type %s, want %s", f.Columns[i].Name, f.Columns[i].Type, ty)
				}
			}
			for _, row := range f.Rows {
				if len(row) != len(f.Columns) {
					t.Errorf("row %v has %d cells", row, len(row))
				}
			}
		})
	}
	f, _ := Read(strings.NewReader(`{"n":9007199254740993}`), "ndjson")
	if f.Rows[0][0] != int64(9007199254740993) {
		t.Errorf("big int = %v", f.Rows[0][0])
	}
}

func TestReadErrorsNameTheLine(t *testing.T) {
	tests := []struct{ format, in, want string }{
		{"ndjson", "{\"a\":1}\n[1,2]\n", "ndjson line 2"},
		{"ndjson", "{\"a\":1}\n{\"a\":\n", "ndjson line 2"},
		{"ndjson", "{\"a\":1} {\"b\":2}\n", "ndjson line 1"},
		{"csv", "a,b\n1,2\n1,2,3\n", "csv line 3"},
		{"csv", "a\n\"unclosed\n", "csv"},
		{"json", `[{"a":1},2]`, "json item 2"},
		{"json", `"str"`, "want an array"},
		{"xml", "", "unknown input format"},
	}
	for _, tt := range tests {
		_, err := Read(strings.NewReader(tt.in), tt.format)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Read(%q, %s) = %v, want error containing %q", tt.in, tt.format, err, tt.want)
		}
	}
}

func TestReadInvalidUTF8(t *testing.T) {
	for _, format := range []string{"ndjson", "csv"} {
		in := "{\"a\xff\":\"x\xfey\"}\n"
		if format == "csv" {
			in = "a\xff\nx\xfey\n"
		}
		f, err := Read(strings.NewReader(in), format)
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.ValidString(f.Columns[0].Name) || !utf8.ValidString(f.Rows[0][0].(string)) {
			t.Errorf("%s: invalid UTF-8 kept: %q %q", format, f.Columns[0].Name, f.Rows[0][0])
		}
	}
}
