// Package table owns msticgo's one tabular result type, Frame (ordered,
// typed columns and rows of mixed values), its writers for the output
// formats table, json, ndjson and csv (always valid UTF-8, secrets redacted
// through Options.Redact), and Read for frames piped in as NDJSON, JSON or
// CSV. It depends on nothing else in msticgo.
package table

import "strconv"

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

// UniqueNames returns names with every repeat renamed the way pandas'
// readers (and so MSTICPy) name them: the second "ip" becomes "ip.1", the
// third "ip.2"; the first of each name is kept as it is. A renamed name
// that is itself taken gets a suffix of its own ("a", "a", "a.1" become
// "a", "a.1", "a.1.1"). Names are compared exactly (JSON keys are
// case-sensitive). The result is a new slice; names is not changed.
func UniqueNames(names []string) []string {
	out := make([]string, len(names))
	seen := make(map[string]int, len(names)) // name -> times taken
	for i, n := range names {
		for k := seen[n]; k > 0; k = seen[n] {
			seen[n] = k + 1
			n = n + "." + strconv.Itoa(k)
		}
		seen[n] = 1
		out[i] = n
	}
	return out
}

// UniqueColumns renames repeated column names in place as UniqueNames does
// and returns f. Frames built from a result (CSV headers, SQL select lists)
// go through it, so every column has a name of its own.
func (f *Frame) UniqueColumns() *Frame {
	if f == nil || !hasRepeat(f.Names()) {
		return f
	}
	for i, n := range UniqueNames(f.Names()) {
		f.Columns[i].Name = n
	}
	return f
}

func hasRepeat(names []string) bool {
	if len(names) < 2 {
		return false
	}
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if seen[n] {
			return true
		}
		seen[n] = true
	}
	return false
}
