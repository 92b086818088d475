package table

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// MaxLine is the longest NDJSON line Read accepts.
const MaxLine = 64 << 20

// Read reads a frame from r in a format: "ndjson" (one JSON object per
// line), "json" (an array of objects, or one object), "csv" (a header row,
// then records) or "auto"/"" (sniffed from the first non-blank byte: '{'
// ndjson, '[' json, anything else csv). Columns keep the order in which keys
// first appear; a row missing a key gets nil. JSON numbers become int64 when
// integral and in range, else float64; a column's type is the common type of
// its values (Any when mixed). CSV columns are all String. Invalid UTF-8
// becomes U+FFFD. Errors name the line.
func Read(r io.Reader, format string) (*Frame, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xEF\xBB\xBF")) {
		_, _ = br.Discard(3)
	}
	switch strings.ToLower(strings.TrimSpace(format)) {
	case "", "auto":
		b, err := peekNonSpace(br)
		if err != nil {
			return nil, err
		}
		switch b {
		case 0:
			return &Frame{}, nil
		case '{':
			return ReadNDJSON(br)
		case '[':
			return ReadJSON(br)
		}
		return ReadCSV(br)
	case "ndjson", "jsonl":
		return ReadNDJSON(br)
	case "json":
		return ReadJSON(br)
	case "csv":
		return ReadCSV(br)
	}
	return nil, fmt.Errorf("table: unknown input format %q (want ndjson, json, csv or auto)", format)
}

func peekNonSpace(br *bufio.Reader) (byte, error) {
	for n := 1; ; n++ {
		b, err := br.Peek(n)
		if len(b) == n {
			c := b[n-1]
			if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
				return c, nil
			}
			if n >= br.Size() {
				return 'x', nil
			}
			continue
		}
		if errors.Is(err, io.EOF) {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// builder collects ordered-key objects into a frame.
type builder struct {
	f     *Frame
	index map[string]int
}

func newBuilder() *builder { return &builder{f: &Frame{}, index: map[string]int{}} }

func (b *builder) add(keys []string, vals []any) {
	row := make([]any, len(b.f.Columns), len(b.f.Columns)+len(keys))
	for i, k := range keys {
		j, ok := b.index[k]
		if !ok {
			j = len(b.f.Columns)
			b.index[k] = j
			b.f.Columns = append(b.f.Columns, Column{Name: k})
			for r := range b.f.Rows {
				b.f.Rows[r] = append(b.f.Rows[r], nil)
			}
			row = append(row, nil)
		}
		row[j] = vals[i]
	}
	b.f.Rows = append(b.f.Rows, row)
}

func (b *builder) frame() *Frame {
	inferTypes(b.f)
	return b.f
}

// inferTypes sets each column's type from its values; an int column with
// floats becomes Float (its ints converted).
func inferTypes(f *Frame) {
	for c := range f.Columns {
		var t Type
		mixed := false
		for _, row := range f.Rows {
			var vt Type
			switch row[c].(type) {
			case nil:
				continue
			case string:
				vt = String
			case int64:
				vt = Int
			case float64:
				vt = Float
			case bool:
				vt = Bool
			default:
				vt = Any
			}
			switch {
			case t == "":
				t = vt
			case t == vt:
			case (t == Int && vt == Float) || (t == Float && vt == Int):
				t = Float
			default:
				mixed = true
			}
		}
		if mixed || t == "" {
			if t == "" {
				t = String
			} else {
				t = Any
			}
		}
		if t == Float {
			for _, row := range f.Rows {
				if i, ok := row[c].(int64); ok {
					row[c] = float64(i)
				}
			}
		}
		f.Columns[c].Type = t
	}
}

// ReadNDJSON reads one JSON object per line; blank lines are skipped.
func ReadNDJSON(r io.Reader) (*Frame, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxLine)
	b := newBuilder()
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if line == 1 {
			text = bytes.TrimPrefix(text, []byte("\xEF\xBB\xBF"))
		}
		if len(text) == 0 {
			continue
		}
		keys, vals, err := decodeLine(text)
		if err != nil {
			return nil, fmt.Errorf("ndjson line %d: %w", line, err)
		}
		b.add(keys, vals)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("ndjson line %d: longer than %d bytes", line+1, MaxLine)
		}
		return nil, fmt.Errorf("ndjson line %d: %w", line+1, err)
	}
	return b.frame(), nil
}

// decodeLine decodes one JSON object, keeping its key order: the values come
// from one json.Unmarshal into a map, the order from a scan of the top-level
// keys (much faster than the token API).
func decodeLine(text []byte) ([]string, []any, error) {
	if text[0] != '{' {
		var v any
		if err := json.Unmarshal(text, &v); err != nil {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("want a JSON object, got %s", tokenKind(v))
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(text, &m); err != nil {
		return nil, nil, err
	}
	keys, err := topLevelKeys(text)
	if err != nil {
		return nil, nil, err
	}
	if len(keys) != len(m) {
		return nil, nil, errors.New("object keys could not be read")
	}
	vals := make([]any, len(keys))
	for i, k := range keys {
		raw, ok := m[k]
		if !ok {
			return nil, nil, errors.New("object keys could not be read")
		}
		v, err := decodeValue(raw)
		if err != nil {
			return nil, nil, err
		}
		vals[i] = v
	}
	return keys, vals, nil
}

// decodeValue decodes a scalar fast and anything else with UseNumber.
func decodeValue(raw json.RawMessage) (any, error) {
	switch raw[0] {
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case 't':
		return true, nil
	case 'f':
		return false, nil
	case 'n':
		return nil, nil
	case '{', '[':
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		return convertNumbers(v), nil
	}
	return convertNumbers(json.Number(raw)), nil
}

// topLevelKeys lists the distinct top-level keys of a valid JSON object in
// order of first appearance, decoded exactly as json.Unmarshal decodes them.
func topLevelKeys(b []byte) ([]string, error) {
	var keys []string
	seen := map[string]bool{}
	depth, i := 0, 0
	expectKey := false
	for i < len(b) {
		c := b[i]
		switch c {
		case '{', '[':
			depth++
			expectKey = c == '{' && depth == 1
			i++
		case '}', ']':
			depth--
			i++
		case ',':
			expectKey = depth == 1
			i++
		case '"':
			j := i + 1
			plain := true
			for j < len(b) && b[j] != '"' {
				if b[j] == '\\' {
					j++
					plain = false
				} else if b[j] >= 0x80 {
					plain = false
				}
				j++
			}
			if j >= len(b) {
				return nil, errors.New("unterminated string")
			}
			if expectKey {
				var k string
				if plain {
					k = string(b[i+1 : j])
				} else if err := json.Unmarshal(b[i:j+1], &k); err != nil {
					return nil, err
				}
				if !seen[k] {
					seen[k] = true
					keys = append(keys, k)
				}
				expectKey = false
			}
			i = j + 1
		default:
			i++
		}
	}
	return keys, nil
}

// ReadJSON reads a JSON array of objects (or a single object).
func ReadJSON(r io.Reader) (*Frame, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	b := newBuilder()
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return b.frame(), nil
	}
	if err != nil {
		return nil, jsonErr(dec, err)
	}
	switch tok {
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			keys, vals, err := decodeObject(dec)
			if err != nil {
				return nil, fmt.Errorf("json item %d: %w", i+1, jsonErr(dec, err))
			}
			b.add(keys, vals)
		}
		if _, err := dec.Token(); err != nil {
			return nil, jsonErr(dec, err)
		}
	case json.Delim('{'):
		keys, vals, err := decodeObjectBody(dec)
		if err != nil {
			return nil, jsonErr(dec, err)
		}
		b.add(keys, vals)
	default:
		return nil, errors.New("json: want an array of objects or an object")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("json: text after the value")
	}
	return b.frame(), nil
}

func jsonErr(dec *json.Decoder, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("json at byte %d: %w", se.Offset, err)
	}
	return err
}

// decodeObject reads one JSON object keeping its key order.
func decodeObject(dec *json.Decoder) ([]string, []any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, err
	}
	if tok != json.Delim('{') {
		return nil, nil, fmt.Errorf("want a JSON object, got %s", tokenKind(tok))
	}
	return decodeObjectBody(dec)
}

func decodeObjectBody(dec *json.Decoder) ([]string, []any, error) {
	var keys []string
	var vals []any
	seen := map[string]int{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		k, ok := tok.(string)
		if !ok {
			return nil, nil, errors.New("object key is not a string")
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		v = convertNumbers(v)
		if i, dup := seen[k]; dup { // last duplicate wins, first position kept
			vals[i] = v
			continue
		}
		seen[k] = len(keys)
		keys = append(keys, k)
		vals = append(vals, v)
	}
	if _, err := dec.Token(); err != nil { // closing }
		return nil, nil, err
	}
	return keys, vals, nil
}

func tokenKind(tok json.Token) string {
	switch tok.(type) {
	case json.Delim:
		return "'" + tok.(json.Delim).String() + "'"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "a value"
}

// convertNumbers turns json.Number into int64 or float64, recursively.
func convertNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return i
		}
		if f, err := strconv.ParseFloat(string(x), 64); err == nil {
			return f
		}
		return string(x)
	case []any:
		for i := range x {
			x[i] = convertNumbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = convertNumbers(x[k])
		}
	}
	return v
}

// ReadCSV reads a header row and records; every column is String, empty
// cells are "". A record with more fields than the header is an error
// naming its line; a shorter one is padded with nil. A repeated header name
// is renamed as pandas does (ip, ip.1: UniqueNames).
func ReadCSV(r io.Reader) (*Frame, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return &Frame{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	f := &Frame{}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF")
		}
		f.Columns = append(f.Columns, Column{Name: strings.ToValidUTF8(h, "\uFFFD"), Type: String})
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("csv: %w", err)
		}
		if len(rec) > len(header) {
			line, _ := cr.FieldPos(0)
			return nil, fmt.Errorf("csv line %d: %d fields, the header has %d", line, len(rec), len(header))
		}
		row := make([]any, len(header))
		for i, s := range rec {
			row[i] = strings.ToValidUTF8(s, "\uFFFD")
		}
		f.Rows = append(f.Rows, row)
	}
	return f.UniqueColumns(), nil
}
