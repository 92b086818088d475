package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/msticgo/msticgo/lookup"
)

// firstNonBlank peeks at the first byte that is not white space or a byte
// order mark; 0 when there is none.
func firstNonBlank(br *bufio.Reader) byte {
	for i := 1; ; i++ {
		b, err := br.Peek(i)
		if len(b) < i || err != nil {
			return 0
		}
		switch c := b[i-1]; c {
		case ' ', '\t', '\r', '\n', 0xEF, 0xBB, 0xBF:
			continue
		default:
			return c
		}
	}
}

// readJSONArrayColumn reads --column from a JSON array of objects (what
// `-o json` writes), item by item, without loading it whole as a tree.
func readJSONArrayColumn(name string, r io.Reader, o *lookupOpts) ([]lookup.Input, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, UsageErrorf("%s: not a JSON array of objects", name)
	}
	var out []lookup.Input
	for item := 1; dec.More(); item++ {
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil || obj == nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				return nil, UsageErrorf("%s item %d: invalid JSON at byte %d: %w", name, item, se.Offset, se)
			}
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return nil, UsageErrorf("%s item %d: the JSON array ends early", name, item)
			}
			return nil, UsageErrorf("%s item %d: not a JSON object", name, item)
		}
		v, ok, err := jsonField(obj, o.column)
		if err != nil {
			return nil, UsageErrorf("%s item %d: column %q: %w", name, item, o.column, err)
		}
		if !ok {
			return nil, UsageErrorf("%s item %d: no column %q (columns: %s)", name, item, o.column, shownNames(sortedObjKeys(obj)))
		}
		if strings.TrimSpace(v) == "" {
			continue
		}
		in := lookup.Input{Value: v, Type: o.typ}
		if o.typeColumn != "" {
			t, ok, err := jsonField(obj, o.typeColumn)
			if err != nil {
				return nil, UsageErrorf("%s item %d: column %q: %w", name, item, o.typeColumn, err)
			}
			if ok && strings.TrimSpace(t) != "" {
				in.Type = t
			}
		}
		out = append(out, in)
	}
	if _, err := dec.Token(); err != nil {
		return nil, UsageErrorf("%s: the JSON array is not closed: %w", name, err)
	}
	return out, nil
}
