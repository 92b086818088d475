package exec

import (
	"encoding/json"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/table"
)

// fuzzSecret is a setting value the plugin was given; it must never come
// back in a result.
const fuzzSecret = "s3cr3t-fuzz-key"

// FuzzDecodeRow: the params of query/columns and query/rows, as a plugin
// sends them, handled as Driver.Query handles them. Rows are either
// rejected with an error or have one value per column, of a kind a frame
// holds; never a panic.
func FuzzDecodeRow(f *testing.F) {
	seeds := []struct{ cols, rows string }{
		{`{"request_id":1,"columns":[{"name":"Host","type":"string"},{"name":"N","type":"int"},{"name":"S","type":"float"},{"name":"T","type":"datetime"}]}`,
			`{"request_id":1,"rows":[["h",1,2,"2024-01-02T03:04:05Z"],{"Host":"g","N":1.5,"T":"not a time"},[null,null,null,null]]}`},
		{`{"request_id":1,"columns":[{"name":"A"},{"name":"B","type":"bool"}]}`,
			`{"request_id":1,"rows":[[{"x":[1,{"y":2e400}]},true],[1],"x",7,[1,2,3]]}`},
		{`{"request_id":1,"columns":[]}`, `{"request_id":1,"rows":[[],{}]}`},
		{`{"request_id":1,"columns":[{"name":"A","type":"long"}]}`, `{"request_id":1,"rows":[[9223372036854775808],[-0],[1e3]]}`},
		{`{"columns":"x"}`, `{"rows":[["\ud800"]]}`},
	}
	for _, s := range seeds {
		f.Add([]byte(s.cols), []byte(s.rows))
	}
	f.Fuzz(func(t *testing.T, colsJSON, rowsJSON []byte) {
		var cn ColumnsNote
		if err := json.Unmarshal(colsJSON, &cn); err != nil {
			_ = shortJSONErr(err)
			return
		}
		var rn RowsNote
		if err := json.Unmarshal(rowsJSON, &rn); err != nil {
			_ = shortJSONErr(err)
			return
		}
		fr := &table.Frame{}
		for _, c := range cn.Columns {
			fr.Columns = append(fr.Columns, table.Column{Name: c.Name, Type: columnType(c.Type)})
		}
		for i, raw := range rn.Rows {
			row, err := decodeRow(raw, cn.Columns)
			if err != nil {
				if msg := err.Error(); !utf8.ValidString(msg) || len(msg) > 400 {
					t.Fatalf("row %d: bad error text %q", i+1, msg)
				}
				continue
			}
			if len(row) != len(cn.Columns) {
				t.Fatalf("row %d: %d values for %d columns", i+1, len(row), len(cn.Columns))
			}
			for j, v := range row {
				checkWireValue(t, v)
				if columnType(cn.Columns[j].Type) == table.Float {
					if _, isInt := v.(int64); isInt {
						t.Fatalf("row %d: float column %q holds an int", i+1, cn.Columns[j].Name)
					}
				}
			}
			fr.Rows = append(fr.Rows, row)
		}
	})
}

// checkWireValue: a decoded value is one a frame holds, and its text is
// valid UTF-8.
func checkWireValue(t *testing.T, v any) {
	t.Helper()
	switch x := v.(type) {
	case nil, bool, int64, float64, time.Time:
	case string:
		if !utf8.ValidString(x) {
			t.Fatalf("value %q is not valid UTF-8", x)
		}
	case []any:
		for _, e := range x {
			checkWireValue(t, e)
		}
	case map[string]any:
		for k, e := range x {
			if !utf8.ValidString(k) {
				t.Fatalf("key %q is not valid UTF-8", k)
			}
			checkWireValue(t, e)
		}
	default:
		t.Fatalf("value %v of type %T", v, v)
	}
}

// FuzzLookupReply: a lookup/result notification and the final
// LookupReply, handled as Provider.lookupChunk handles them (decode,
// scrub, toResult). A result that is not an answer always has a message
// and no verdict, and the plugin's secret never appears in any part.
func FuzzLookupReply(f *testing.F) {
	seeds := []struct{ note, reply string }{
		{`{"request_id":1,"result":{"id":"0","status":"found","severity":"high","details":{"score":90},"raw":{"k":"` + fuzzSecret + `"},"reference":"https://x/?key=` + fuzzSecret + `"}}`,
			`{"results":[{"id":"1","found":false},{"id":"2","status":"error","error_kind":"rate_limited","retry_after":2.5,"message":"key ` + fuzzSecret + ` refused"}]}`},
		{`{"request_id":1,"result":{"id":"0","status":"` + fuzzSecret + `"}}`, `{"results":[{"id":"1"}]}`},
		{`{"request_id":"x"}`, `{"results":[{"id":"0","status":"Not Found","severity":"bogus","raw":null}]}`},
		{`{"request_id":1,"result":{"id":"0","status":"found","found":false,"message":"\ud800"}}`, `{"results":"x"}`},
		{`{}`, `{"results":[{"id":"0","status":"timeout","retry_after":-1e300}]}`},
		{`{"request_id":1,"result":{"id":"0","status":"found","details":{"` + fuzzSecret + `":[1]}}}`, `{"results":[]}`},
	}
	for _, s := range seeds {
		f.Add([]byte(s.note), []byte(s.reply))
	}
	sc := &scrubber{secrets: []string{fuzzSecret}}
	f.Fuzz(func(t *testing.T, note, reply []byte) {
		var ws []*WireResult
		var n ResultNote
		if json.Unmarshal(note, &n) == nil {
			ws = append(ws, &n.Result)
		}
		var rep LookupReply
		if err := json.Unmarshal(reply, &rep); err != nil {
			_ = shortJSONErr(err)
		} else {
			for i := range rep.Results {
				ws = append(ws, &rep.Results[i])
			}
		}
		for _, w := range ws {
			r := scrubbedResult(sc, w)
			// redact's rule: the secret where it stands as a whole token.
			for _, s := range wireStrings(nil, []any{r.Message, r.Reference, r.Details, r.RawResult}) {
				if sc.clean(s) != s {
					t.Fatalf("secret in result text %q", s)
				}
				if !utf8.ValidString(s) {
					t.Fatalf("result text is not valid UTF-8: %q", s)
				}
			}
			if !r.Status.OK() && (r.Message == "" || r.Severity != lookup.SevUnknown) {
				t.Fatalf("status %v with message %q, severity %v", r.Status, r.Message, r.Severity)
			}
		}
	})
}

// wireStrings appends every string (and map key) in a decoded value.
func wireStrings(out []string, v any) []string {
	switch x := v.(type) {
	case string:
		out = append(out, x)
	case []any:
		for _, e := range x {
			out = wireStrings(out, e)
		}
	case map[string]any:
		for k, e := range x {
			out = wireStrings(append(out, k), e)
		}
	}
	return out
}
