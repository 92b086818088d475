// Package table owns msticgo's one tabular result type, Frame (ordered,
// typed columns and rows of mixed values), its writers for the output
// formats table, json, ndjson and csv (always valid UTF-8, secrets redacted
// through Options.Redact), and Read for frames piped in as NDJSON, JSON or
// CSV. It depends on nothing else in msticgo.
package table

// Type is a column's value type.
type Type string

// Column value types. Any means mixed values (maps, lists, nil...).
const (
	String Type = "string"
	Int    Type = "int"
	Float  Type = "float"
	Bool   Type = "bool"
	Time   Type = "time"
	Any    Type = "any"
)

// Column is a named, typed column.
type Column struct {
	Name string
	Type Type
}

// Frame is an ordered set of columns and rows. Each row has one value per
// column: nil, string, bool, int64, float64, time.Time, []any or
// map[string]any (values from outside may be other Go types; writers format
// them with fmt).
type Frame struct {
	Columns []Column
	Rows    [][]any
}

// New returns an empty frame with the given columns.
func New(cols ...Column) *Frame {
	return &Frame{Columns: cols}
}

// NewStrings returns an empty frame whose columns all have type String.
func NewStrings(names ...string) *Frame {
	f := &Frame{}
	for _, n := range names {
		f.Columns = append(f.Columns, Column{Name: n, Type: String})
	}
	return f
}

// Append adds a row; it must have one value per column.
func (f *Frame) Append(row ...any) {
	f.Rows = append(f.Rows, row)
}

// Len is the number of rows.
func (f *Frame) Len() int { return len(f.Rows) }

// ColumnIndex returns the index of the named column (exact match first, then
// case-insensitive), or -1.
func (f *Frame) ColumnIndex(name string) int {
	for i, c := range f.Columns {
		if c.Name == name {
			return i
		}
	}
	for i, c := range f.Columns {
		if equalFold(c.Name, name) {
			return i
		}
	}
	return -1
}

// Names returns the column names in order.
func (f *Frame) Names() []string {
	out := make([]string, len(f.Columns))
	for i, c := range f.Columns {
		out[i] = c.Name
	}
	return out
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return false
		}
	}
	return true
}
