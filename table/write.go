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
		return x.Format(time.RFC3339Nano)
	case *time.Time:
		if x == nil {
			return ""
		}
		return x.Format(time.RFC3339Nano)
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
		return x.Format(time.RFC3339Nano)
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
// An empty frame is written as [].
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

func jsonKeys(f *Frame, opts Options) [][]byte {
	keys := make([][]byte, len(f.Columns))
	for i, c := range f.Columns {
		b, _ := json.Marshal(opts.text(c.Name))
		keys[i] = b
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
		bw.Write(b)
	}
	bw.WriteByte('}')
	return nil
}

// WriteCSV writes a header row and one record per row (RFC 4180). An empty
// frame is written as its header.
func WriteCSV(w io.Writer, f *Frame, opts Options) error {
	cw := csv.NewWriter(w)
	rec := make([]string, len(f.Columns))
	for i, c := range f.Columns {
		rec[i] = opts.text(c.Name)
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for _, row := range f.Rows {
		for i := range f.Columns {
			rec[i] = opts.text(formatRaw(cell(row, i)))
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
// that is one token of up to TokenMaxWidth, such as a hash, is kept whole); control characters are shown
// escaped (\n, \t, \x1b) so a cell never breaks the layout or drives the
// terminal. An empty frame prints its header and rule.
func WriteTable(w io.Writer, f *Frame, opts Options) error {
	maxW, tokenW := opts.MaxWidth, 0
	if maxW == 0 {
		maxW, tokenW = DefaultMaxWidth, TokenMaxWidth
	}
	n := len(f.Columns)
	cells := make([][]string, len(f.Rows)+1)
	widths := make([]int, n)
	numeric := make([]bool, n)
	prep := func(s string) (string, int) {
		s = escapeControls(opts.text(s))
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
	for i, c := range f.Columns {
		s, wd := prep(c.Name)
		cells[0][i], widths[i] = s, wd
		numeric[i] = c.Type == Int || c.Type == Float
	}
	for r, row := range f.Rows {
		line := make([]string, n)
		for i := 0; i < n; i++ {
			s, wd := prep(formatRaw(cell(row, i)))
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
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
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
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			if r < 0x100 {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
