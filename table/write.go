package table

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
)

// Format is an output format.
type Format string

// Output formats.
const (
	FormatTable  Format = "table"
	FormatJSON   Format = "json"
	FormatNDJSON Format = "ndjson"
	FormatCSV    Format = "csv"
)

// Formats lists the output formats in help order.
var Formats = []Format{FormatTable, FormatJSON, FormatNDJSON, FormatCSV}

// ParseFormat reads a format name, case-insensitively.
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case FormatTable, FormatJSON, FormatNDJSON, FormatCSV:
		return f, nil
	case "jsonl":
		return FormatNDJSON, nil
	}
	return "", fmt.Errorf("unknown output format %q (want table, json, ndjson or csv)", s)
}

// DefaultMaxWidth is the widest a table cell gets before it is truncated.
const DefaultMaxWidth = 60

// TokenMaxWidth is, with the default width, the widest cell that is one
// token (no white space: a hash, a URL, an address) kept whole, so a
// SHA-256 (64) or SHA-512 (128) can still be copied from a table.
const TokenMaxWidth = 128

// Options tune the writers. The zero value is ready to use.
type Options struct {
	// MaxWidth is the widest a table cell may be, in display columns (East
	// Asian wide characters count 2); longer cells end in "…". 0 means
	// DefaultMaxWidth; a negative value means no limit.
	MaxWidth int
	// Redact, when set, is applied to every text written (cells, column
	// names, nested values), e.g. to hide secret values.
	Redact func(string) string
}

func (o Options) text(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if o.Redact != nil {
		s = o.Redact(s)
	}
	return s
}

// Write writes the frame in the format.
func Write(w io.Writer, f *Frame, format Format, opts Options) error {
	switch format {
	case FormatTable, "":
		return WriteTable(w, f, opts)
	case FormatJSON:
		return WriteJSON(w, f, opts)
	case FormatNDJSON:
		return WriteNDJSON(w, f, opts)
	case FormatCSV:
		return WriteCSV(w, f, opts)
	}
	return fmt.Errorf("unknown output format %q", format)
}

// FormatValue renders one value as text: "" for nil, RFC 3339 for times,
// compact JSON for lists and maps, the shortest exact form for numbers.
// Invalid UTF-8 becomes U+FFFD.
func FormatValue(v any) string {
	return strings.ToValidUTF8(formatRaw(v), "\uFFFD")
}

func formatRaw(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return formatFloat(x)
	case float32:
		return formatFloat(float64(x))
	case json.Number:
		return x.String()
	case time.Time:
		return FormatTime(x)
	case *time.Time:
		if x == nil {
			return ""
		}
		return FormatTime(*x)
	case time.Duration:
		return x.String()
	case fmt.Stringer:
		return x.String()
	case error:
		return x.Error()
	case []any, map[string]any, []string, map[string]string:
		b, err := json.Marshal(jsonValue(v, Options{}))
		if err != nil {
			return fmt.Sprint(v)
		}
		return string(b)
	}
	return fmt.Sprint(v)
}

// FormatTime writes a time as RFC 3339 with its fraction at a fixed width
// for its precision: none for whole seconds, else 3, 6 or 9 digits
// (2024-03-01T07:00:23.430Z, not .43Z), so times of one source line up in
// a table and sort as text.
func FormatTime(t time.Time) string {
	ns := t.Nanosecond()
	switch {
	case ns == 0:
		return t.Format(time.RFC3339)
	case ns%1_000_000 == 0:
		return t.Format("2006-01-02T15:04:05.000Z07:00")
	case ns%1_000 == 0:
		return t.Format("2006-01-02T15:04:05.000000Z07:00")
	}
	return t.Format("2006-01-02T15:04:05.000000000Z07:00")
}

func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// jsonValue turns a cell into something encoding/json writes faithfully:
// strings made valid UTF-8 (and redacted), times as RFC 3339, NaN/Inf as
// null, nested lists and maps converted the same way.
func jsonValue(v any, o Options) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return o.text(x)
	case []byte:
		return o.text(string(x))
	case bool, int, int64, int32, uint64, json.Number:
		return x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
		return x
	case float32:
		return jsonValue(float64(x), o)
	case time.Time:
		return FormatTime(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(e, o)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = o.text(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[o.text(k)] = jsonValue(e, o)
		}
		return out
	case map[string]string:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[o.text(k)] = o.text(e)
		}
		return out
	}
	return o.text(formatRaw(v))
}

// cell returns a value or nil when the row is short.
func cell(row []any, i int) any {
	if i < len(row) {
		return row[i]
	}
	return nil
}

// WriteJSON writes a JSON array of objects whose keys keep the column order.
// An empty frame is written as []. Control characters (C0, DEL, C1) and the
// bidirectional embedding, override and isolate characters are written as
// \uXXXX escapes, which decode to the same string.
func WriteJSON(w io.Writer, f *Frame, opts Options) error {
	bw := bufio.NewWriter(w)
	if len(f.Rows) == 0 {
		bw.WriteString("[]\n")
		return bw.Flush()
	}
	keys := jsonKeys(f, opts)
	bw.WriteString("[\n")
	for r, row := range f.Rows {
		bw.WriteString("  ")
		if err := writeObject(bw, keys, row, opts); err != nil {
			return err
		}
		if r < len(f.Rows)-1 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
	}
	bw.WriteString("]\n")
	return bw.Flush()
}

// WriteNDJSON writes one JSON object per line, keys in column order.
func WriteNDJSON(w io.Writer, f *Frame, opts Options) error {
	bw := bufio.NewWriter(w)
	keys := jsonKeys(f, opts)
	for _, row := range f.Rows {
		if err := writeObject(bw, keys, row, opts); err != nil {
			return err
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// headerNames are the column names as written: valid UTF-8, redacted, and
// made unique (UniqueNames) after that, so no two columns of an object or a
// header share a key, even when two names redact or repair to one text.
func headerNames(f *Frame, opts Options) []string {
	names := make([]string, len(f.Columns))
	for i, c := range f.Columns {
		names[i] = opts.text(c.Name)
	}
	return UniqueNames(names)
}

func jsonKeys(f *Frame, opts Options) [][]byte {
	names := headerNames(f, opts)
	keys := make([][]byte, len(names))
	for i, n := range names {
		b, _ := json.Marshal(n)
		keys[i] = jsonSafe(b)
	}
	return keys
}

func writeObject(bw *bufio.Writer, keys [][]byte, row []any, opts Options) error {
	bw.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.Write(k)
		bw.WriteByte(':')
		b, err := json.Marshal(jsonValue(cell(row, i), opts))
		if err != nil {
			return fmt.Errorf("table: column %s: %w", k, err)
		}
		bw.Write(jsonSafe(b))
	}
	bw.WriteByte('}')
	return nil
}

// WriteCSV writes a header row and one record per row (RFC 4180). An empty
// frame is written as its header. Tab and newline are kept (in a quoted
// field); a CR before a newline is dropped; other control characters (C0,
// DEL, C1, a lone CR) and the bidirectional embedding, override and isolate
// characters are written as escapes, as in WriteTable (\x1b, \r, \u202e),
// so a field never drives the terminal it is printed on.
func WriteCSV(w io.Writer, f *Frame, opts Options) error {
	cw := csv.NewWriter(w)
	rec := make([]string, len(f.Columns))
	for i, n := range headerNames(f, opts) {
		rec[i] = csvText(n)
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for _, row := range f.Rows {
		for i := range f.Columns {
			rec[i] = csvText(opts.text(formatRaw(cell(row, i))))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteTable writes an aligned text table: a header, a rule, one line per
// row. Widths are display columns (wide characters count 2); cells wider
// than MaxWidth are cut and end in "…" (with the default width, a cell
// that is one token of up to TokenMaxWidth, such as a hash, is kept whole); control characters
// and bidirectional controls are shown escaped (\n, \t, \x1b, \u202e) so a
// cell never breaks the layout, drives the terminal or reorders the line. An empty frame prints its header and rule.
func WriteTable(w io.Writer, f *Frame, opts Options) error {
	maxW, tokenW := opts.MaxWidth, 0
	if maxW == 0 {
		maxW, tokenW = DefaultMaxWidth, TokenMaxWidth
	}
	n := len(f.Columns)
	cells := make([][]string, len(f.Rows)+1)
	widths := make([]int, n)
	numeric := make([]bool, n)
	prep := func(s string) (string, int) { // s has been through opts.text
		s = escapeControls(s)
		w := displayWidth(s)
		if w > maxW && w <= tokenW && !strings.ContainsFunc(s, unicode.IsSpace) {
			return s, w // one token (hash, URL): kept whole by default
		}
		if maxW > 0 && w > maxW {
			s = runewidth.Truncate(s, maxW, "…")
			w = displayWidth(s)
		}
		return s, w
	}
	cells[0] = make([]string, n)
	names := headerNames(f, opts)
	for i, c := range f.Columns {
		s, wd := prep(names[i])
		cells[0][i], widths[i] = s, wd
		numeric[i] = c.Type == Int || c.Type == Float
	}
	for r, row := range f.Rows {
		line := make([]string, n)
		for i := 0; i < n; i++ {
			s, wd := prep(opts.text(formatRaw(cell(row, i))))
			line[i] = s
			widths[i] = max(widths[i], wd)
		}
		cells[r+1] = line
	}
	bw := bufio.NewWriter(w)
	writeLine := func(line []string) {
		var b strings.Builder
		for i, s := range line {
			pad := max(widths[i]-displayWidth(s), 0)
			if i > 0 {
				b.WriteString("  ")
			}
			if numeric[i] {
				b.WriteString(strings.Repeat(" ", pad))
				b.WriteString(s)
			} else {
				b.WriteString(s)
				if i < len(line)-1 {
					b.WriteString(strings.Repeat(" ", pad))
				}
			}
		}
		bw.WriteString(strings.TrimRight(b.String(), " "))
		bw.WriteByte('\n')
	}
	if n == 0 {
		return bw.Flush()
	}
	for i := range widths {
		widths[i] = max(widths[i], 1)
	}
	writeLine(cells[0])
	rule := make([]string, n)
	for i := range rule {
		rule[i] = strings.Repeat("-", widths[i])
	}
	writeLine(rule)
	for _, line := range cells[1:] {
		writeLine(line)
	}
	return bw.Flush()
}

// displayWidth is the number of terminal columns s takes; printable ASCII
// takes the fast path.
func displayWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x7f || c < 0x20 {
			return runewidth.StringWidth(s)
		}
	}
	return len(s)
}

// isBidiControl reports the bidirectional embedding, override and isolate
// characters (U+202A-U+202E, U+2066-U+2069), which reorder the text after
// them on screen.
func isBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// unsafeRune reports a character that must not reach a terminal raw:
// controls (C0, DEL, C1) and bidirectional controls.
func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || isBidiControl(r)
}

// writeEscape writes r as \xNN (below U+0100) or \uNNNN.
func writeEscape(b *strings.Builder, r rune) {
	if r < 0x100 {
		fmt.Fprintf(b, `\x%02x`, r)
	} else {
		fmt.Fprintf(b, `\u%04x`, r)
	}
}

// csvText keeps tab and newline, drops a CR before a newline and escapes
// every other control or bidirectional control character (see WriteCSV).
func csvText(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r != '\t' && r != '\n' && unsafeRune(r) }) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i, r := range s {
		switch {
		case r == '\t' || r == '\n':
			b.WriteRune(r)
		case r == '\r' && i+1 < len(s) && s[i+1] == '\n':
			// CRLF inside a field: the newline alone is kept.
		case r == '\r':
			b.WriteString(`\r`)
		case unsafeRune(r):
			writeEscape(&b, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// jsonSafe rewrites, in encoding/json output, the raw DEL, C1 and
// bidirectional control characters as \uXXXX escapes (encoding/json already
// escapes C0). Outside strings JSON is ASCII, so every such character is
// inside a string and the escape decodes to the same text.
func jsonSafe(b []byte) []byte {
	i := 0
	for i < len(b) && b[i] < 0x7f {
		i++
	}
	if i == len(b) {
		return b
	}
	s := string(b)
	if !strings.ContainsFunc(s[i:], unsafeRune) {
		return b
	}
	out := make([]byte, 0, len(b)+12)
	out = append(out, s[:i]...)
	for _, r := range s[i:] {
		if unsafeRune(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
			continue
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}

// escapeControls shows control characters as escapes.
func escapeControls(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x7f || c < 0x20 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	clean := true
	for _, r := range s {
		if unsafeRune(r) || r == '\u2028' || r == '\u2029' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case unsafeRune(r) || r == '\u2028' || r == '\u2029':
			writeEscape(&b, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
