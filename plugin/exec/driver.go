package exec

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/table"
)

// Driver is a data executable plugin instance.
type Driver struct {
	def  *Definition
	pool *pool

	mu        sync.Mutex
	connected bool
	connStr   string
}

// Connect sends connect to a plugin process; processes started later for
// the same instance connect with the same string before their first query.
func (d *Driver) Connect(ctx context.Context, connStr string) error {
	mark := func(_ context.Context, pr *proc) error {
		s := connStr
		pr.connected = &s // this process needs no second connect before a query
		return nil
	}
	_, err := d.pool.do(ctx, MethodConnect, map[string]string{"connection_string": connStr}, nil, mark)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	d.mu.Lock()
	d.connected, d.connStr = true, connStr
	d.mu.Unlock()
	return nil
}

// Query runs a query; rows arrive in batches and are checked against the
// final count.
func (d *Driver) Query(ctx context.Context, q data.Query) (*data.Result, error) {
	d.mu.Lock()
	connected, connStr := d.connected, d.connStr
	d.mu.Unlock()
	var cols []WireColumn
	var rows [][]any
	received := 0 // rows sent by the plugin; past q.Limit they are dropped
	var convErr error
	addRows := func(raw []json.RawMessage) error {
		if cols == nil {
			return fmt.Errorf("plugin %s sent rows before columns", d.pool.name)
		}
		for _, r := range raw {
			received++
			row, err := decodeRow(r, cols)
			if err != nil {
				return fmt.Errorf("plugin %s: row %d: %s", d.pool.name, received, d.pool.tail.scrub.clean(err.Error()))
			}
			if q.Limit <= 0 || len(rows) < q.Limit {
				rows = append(rows, row)
			}
		}
		return nil
	}
	onNote := func(id int64, method string, params json.RawMessage) error {
		switch method {
		case NotifyQueryColumns:
			var n ColumnsNote
			if err := json.Unmarshal(params, &n); err != nil {
				return fmt.Errorf("plugin %s: query/columns: %s", d.pool.name, shortJSONErr(err))
			}
			if forCall(n.RequestID, id) {
				cols = n.Columns
			}
		case NotifyQueryRows:
			var n RowsNote
			if err := json.Unmarshal(params, &n); err != nil {
				return fmt.Errorf("plugin %s: query/rows: %s", d.pool.name, shortJSONErr(err))
			}
			if forCall(n.RequestID, id) {
				return addRows(n.Rows)
			}
		}
		return nil
	}
	before := func(ctx context.Context, pr *proc) error {
		if !connected || (pr.connected != nil && *pr.connected == connStr) {
			return nil
		}
		if _, err := pr.call(ctx, MethodConnect, map[string]string{"connection_string": connStr}, nil, d.pool.grace); err != nil {
			return fmt.Errorf("connect: %w", err)
		}
		s := connStr
		pr.connected = &s
		return nil
	}
	raw, err := d.pool.do(ctx, MethodQuery, QueryParams{Text: q.Text, Args: q.Args, Limit: q.Limit}, onNote, before)
	if err != nil {
		return nil, err
	}
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || t[0] != '{' {
		return nil, fmt.Errorf("plugin %s answered query with %s instead of an object {\"row_count\": N}", d.pool.name, d.pool.quote(t, 120))
	}
	var rep QueryReply
	if err := json.Unmarshal(t, &rep); err != nil {
		return nil, fmt.Errorf("plugin %s: query reply: %s", d.pool.name, shortJSONErr(err))
	}
	if rep.Columns != nil {
		cols = rep.Columns
	}
	if len(rep.Rows) > 0 {
		if convErr = addRows(rep.Rows); convErr != nil {
			return nil, convErr
		}
	}
	if rep.RowCount != nil && *rep.RowCount != received {
		return nil, fmt.Errorf("plugin %s said %d rows but sent %d", d.pool.name, *rep.RowCount, received)
	}
	f := &table.Frame{Rows: rows}
	for _, c := range cols {
		f.Columns = append(f.Columns, table.Column{Name: c.Name, Type: columnType(c.Type)})
	}
	return &data.Result{Frame: f, Truncated: rep.Truncated || received > len(rows), Partial: rep.Partial, Code: rep.Code}, nil
}

func columnType(t string) table.Type {
	switch strings.ToLower(t) {
	case "string", "str":
		return table.String
	case "int", "integer", "long":
		return table.Int
	case "float", "double", "real", "number":
		return table.Float
	case "bool", "boolean":
		return table.Bool
	case "time", "datetime", "timestamp":
		return table.Time
	}
	return table.Any
}

// decodeRow reads a row written as a list (one value per column) or an
// object keyed by column name.
func decodeRow(raw json.RawMessage, cols []WireColumn) ([]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%s", shortJSONErr(err))
	}
	row := make([]any, len(cols))
	switch r := v.(type) {
	case []any:
		if len(r) != len(cols) {
			return nil, fmt.Errorf("has %d values for %d columns", len(r), len(cols))
		}
		for i := range r {
			row[i] = convert(r[i], cols[i].Type)
		}
	case map[string]any:
		for i, c := range cols {
			row[i] = convert(r[c.Name], c.Type)
		}
	default:
		return nil, fmt.Errorf("a row must be a list or an object, got %s", Quote(raw, 80))
	}
	return row, nil
}

func convert(v any, typ string) any {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil && !strings.ContainsAny(string(x), ".eE") {
			if columnType(typ) == table.Float {
				return float64(n)
			}
			return n
		}
		f, _ := x.Float64()
		return f
	case string:
		if columnType(typ) == table.Time {
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
				return t
			}
		}
		return x
	case []any:
		for i := range x {
			x[i] = convert(x[i], "")
		}
		return x
	case map[string]any:
		for k := range x {
			x[k] = convert(x[k], "")
		}
		return x
	}
	return v
}

// Dialect returns the manifest's dialect.
func (d *Driver) Dialect() string { return strings.ToLower(d.def.Manifest.Dialect) }

// Health asks the plugin for its health, starting it if needed.
func (d *Driver) Health(ctx context.Context) error { return health(ctx, d.pool) }

// Close ends the instance's processes.
func (d *Driver) Close() error { return d.pool.Close() }

var (
	_ data.Driver  = (*Driver)(nil)
	_ data.Dialect = (*Driver)(nil)
)
