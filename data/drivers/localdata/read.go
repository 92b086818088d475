package localdata

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/msticgo/msticgo/table"
)

var errPickle = errors.New("pickle files are Python-only")

// ReadFile reads a data file into a frame, choosing the reader by extension.
// Errors name the file (and the line for CSV and JSON).
func ReadFile(path string) (*table.Frame, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".pkl" {
		return nil, fmt.Errorf("%s: %w and cannot be read by msticgo; convert it once with: "+
			`python -c "import pandas as pd; pd.read_pickle('%s').to_parquet('%s')"`,
			path, errPickle, path, strings.TrimSuffix(path, filepath.Ext(path))+".parquet")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var fr *table.Frame
	switch ext {
	case ".csv":
		fr, err = ReadCSV(f)
	case ".json", ".ndjson", ".jsonl":
		fr, err = ReadJSON(f)
	case ".parquet":
		st, serr := f.Stat()
		if serr != nil {
			return nil, serr
		}
		fr, err = ReadParquet(f, st.Size())
	default:
		return nil, fmt.Errorf("%s: unsupported file type %q (want .csv, .json, .ndjson, .jsonl or .parquet)", path, ext)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return fr, nil
}

// ReadCSV reads CSV with a header row and infers column types.
func ReadCSV(r io.Reader) (*table.Frame, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("empty CSV file (no header row)")
	}
	if err != nil {
		return nil, err
	}
	names := make([]string, len(header))
	for i, h := range header {
		if strings.TrimSpace(h) == "" {
			h = "Unnamed: " + strconv.Itoa(i)
		}
		names[i] = h
	}
	names = table.UniqueNames(names) // pandas: ip, ip.1
	var raw [][]string
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err // csv.ParseError names the line
		}
		raw = append(raw, rec)
	}
	f := &table.Frame{Columns: make([]table.Column, len(names))}
	cols := make([][]string, len(names))
	for i := range names {
		cols[i] = make([]string, len(raw))
		for j, rec := range raw {
			cols[i][j] = rec[i]
		}
	}
	conv := make([]func(string) any, len(names))
	for i, n := range names {
		typ, fn := inferStrings(cols[i])
		f.Columns[i] = table.Column{Name: n, Type: typ}
		conv[i] = fn
	}
	f.Rows = make([][]any, len(raw))
	for j, rec := range raw {
		row := make([]any, len(rec))
		for i, v := range rec {
			row[i] = conv[i](v)
		}
		f.Rows[j] = row
	}
	return f, nil
}

// timeLayouts are the date-time forms recognised in text columns.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04",
	"2006-01-02",
}

// ParseTime parses an ISO-like date-time; zone-less values are UTC.
func ParseTime(s string) (time.Time, bool) {
	hint := 0
	return parseTimeHint(s, &hint)
}

// parseTimeHint tries the layout at *hint first and records the one that
// matched, so a column in one format costs one parse per value.
func parseTimeHint(s string, hint *int) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	if t, err := time.Parse(timeLayouts[*hint], s); err == nil {
		return t.UTC(), true
	}
	for i, l := range timeLayouts {
		if i == *hint {
			continue
		}
		if t, err := time.Parse(l, s); err == nil {
			*hint = i
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func isInt(s string) bool {
	d := strings.TrimPrefix(s, "-")
	if d == "" || (len(d) > 1 && d[0] == '0') {
		return false
	}
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

func isFloat(s string) bool {
	d := strings.TrimPrefix(s, "-")
	if len(d) > 1 && d[0] == '0' && d[1] != '.' {
		return false
	}
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && !math.IsInf(f, 0) && !strings.ContainsAny(s, "xXpP_") &&
		!strings.EqualFold(d, "nan") && !strings.EqualFold(d, "inf") && !strings.EqualFold(d, "infinity")
}

func isBool(s string) bool {
	switch s {
	case "true", "false", "True", "False", "TRUE", "FALSE":
		return true
	}
	return false
}

// inferStrings picks the narrowest type every non-empty value fits and the
// converter for it. Empty cells become nil in every type.
func inferStrings(vals []string) (table.Type, func(string) any) {
	canInt, canFloat, canBool, canTime, seen := true, true, true, true, false
	hint := 0
	for _, v := range vals {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		seen = true
		if canInt && !isInt(v) {
			canInt = false
		}
		if canFloat && !isFloat(v) {
			canFloat = false
		}
		if canBool && !isBool(v) {
			canBool = false
		}
		if canTime {
			if _, ok := parseTimeHint(v, &hint); !ok {
				canTime = false
			}
		}
		if !canInt && !canFloat && !canBool && !canTime {
			break
		}
	}
	str := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	switch {
	case !seen:
		return table.String, str
	case canInt:
		return table.Int, func(s string) any {
			if s = strings.TrimSpace(s); s == "" {
				return nil
			}
			n, _ := strconv.ParseInt(s, 10, 64)
			return n
		}
	case canFloat:
		return table.Float, func(s string) any {
			if s = strings.TrimSpace(s); s == "" {
				return nil
			}
			f, _ := strconv.ParseFloat(s, 64)
			return f
		}
	case canBool:
		return table.Bool, func(s string) any {
			if s = strings.TrimSpace(s); s == "" {
				return nil
			}
			return strings.EqualFold(s, "true")
		}
	case canTime:
		return table.Time, func(s string) any {
			t, ok := parseTimeHint(s, &hint)
			if !ok {
				return nil
			}
			return t
		}
	}
	return table.String, str
}

// ReadJSON reads either one JSON array of objects or a stream of objects
// (NDJSON / JSON lines, blank lines allowed). Column order is the order in
// which keys are first seen.
func ReadJSON(r io.Reader) (*table.Frame, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		br.Discard(3)
	}
	lr := &lineCounter{r: br, line: 1}
	dec := json.NewDecoder(lr)
	dec.UseNumber()
	b := newBuilder()
	first, err := peekNonSpace(br)
	if err == io.EOF {
		return b.frame(), nil
	}
	if err != nil {
		return nil, err
	}
	switch first {
	case '[':
		if _, err := dec.Token(); err != nil {
			return nil, lr.wrap(dec, err)
		}
		for dec.More() {
			if err := readObject(dec, b); err != nil {
				return nil, lr.wrap(dec, err)
			}
		}
		if _, err := dec.Token(); err != nil {
			return nil, lr.wrap(dec, err)
		}
		if _, err := dec.Token(); err != io.EOF {
			return nil, lr.wrap(dec, errors.New("unexpected data after the JSON array"))
		}
	case '{':
		for {
			err := readObject(dec, b)
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, lr.wrap(dec, err)
			}
		}
	default:
		return nil, fmt.Errorf("line 1: JSON data must be an array of objects or one object per line, found %q", first)
	}
	return b.frame(), nil
}

func peekNonSpace(br *bufio.Reader) (byte, error) {
	for i := 1; ; i++ {
		b, err := br.Peek(i)
		if len(b) < i {
			if err == nil {
				err = io.EOF
			}
			return 0, err
		}
		c := b[i-1]
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return c, nil
		}
	}
}

// lineCounter counts newlines consumed so decode errors can name a line.
type lineCounter struct {
	r     io.Reader
	line  int
	nl    []int64 // offsets of newlines
	total int64
}

func (l *lineCounter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i := 0; i < n; i++ {
		if p[i] == '\n' {
			l.nl = append(l.nl, l.total+int64(i))
		}
	}
	l.total += int64(n)
	return n, err
}

// wrap adds the line number of the decoder's input offset.
func (l *lineCounter) wrap(dec *json.Decoder, err error) error {
	off := dec.InputOffset()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	line := 1
	for _, o := range l.nl {
		if o < off {
			line++
		}
	}
	return fmt.Errorf("line %d: %w", line, err)
}

// readObject decodes one JSON object (keys in order) into the builder.
func readObject(dec *json.Decoder, b *builder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("expected a JSON object, found %v", tok)
	}
	row := map[int]any{}
	unexpected := func(err error) error {
		if err == io.EOF {
			return io.ErrUnexpectedEOF
		}
		return err
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return unexpected(err)
		}
		key, _ := kt.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return unexpected(err)
		}
		row[b.col(key)] = normalise(v)
	}
	if _, err := dec.Token(); err != nil {
		return unexpected(err)
	}
	b.rows = append(b.rows, row)
	return nil
}

// normalise turns json.Number into int64 or float64, recursively.
func normalise(v any) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = normalise(x[i])
		}
		return x
	case map[string]any:
		for k := range x {
			x[k] = normalise(x[k])
		}
		return x
	}
	return v
}

// builder collects sparse rows and types the columns at the end.
type builder struct {
	names []string
	index map[string]int
	rows  []map[int]any
}

func newBuilder() *builder { return &builder{index: map[string]int{}} }

func (b *builder) col(name string) int {
	if i, ok := b.index[name]; ok {
		return i
	}
	b.index[name] = len(b.names)
	b.names = append(b.names, name)
	return len(b.names) - 1
}

func (b *builder) frame() *table.Frame {
	f := &table.Frame{Columns: make([]table.Column, len(b.names))}
	for i, n := range b.names {
		f.Columns[i] = table.Column{Name: n, Type: inferValues(b.rows, i)}
	}
	f.Rows = make([][]any, len(b.rows))
	for j, r := range b.rows {
		row := make([]any, len(b.names))
		for i := range b.names {
			v := r[i]
			switch f.Columns[i].Type {
			case table.Float:
				if n, ok := v.(int64); ok {
					v = float64(n)
				}
			case table.Time:
				if s, ok := v.(string); ok {
					v, _ = ParseTime(s)
				}
			}
			row[i] = v
		}
		f.Rows[j] = row
	}
	return f
}

// inferValues types a JSON column: all ints → int, numbers → float, bools →
// bool, strings that are all date-times → time, strings → string, else any.
func inferValues(rows []map[int]any, col int) table.Type {
	ints, floats, bools, strs, times, other, n := 0, 0, 0, 0, 0, 0, 0
	for _, r := range rows {
		v, ok := r[col]
		if !ok || v == nil {
			continue
		}
		n++
		switch x := v.(type) {
		case int64:
			ints++
		case float64:
			floats++
		case bool:
			bools++
		case string:
			strs++
			if _, ok := ParseTime(x); ok {
				times++
			}
		default:
			other++
		}
	}
	switch {
	case n == 0:
		return table.String
	case ints == n:
		return table.Int
	case ints+floats == n:
		return table.Float
	case bools == n:
		return table.Bool
	case times == n:
		return table.Time
	case strs == n:
		return table.String
	}
	return table.Any
}
