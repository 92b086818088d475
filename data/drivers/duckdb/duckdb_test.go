package duckdb

import (
	"context"
	"encoding/csv"
	"errors"
	"io/fs"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/internal/testcorpus"
	"github.com/msticgo/msticgo/registry"
	"github.com/msticgo/msticgo/samples"
	"github.com/msticgo/msticgo/table"
)

// open creates a driver through the default registry, as the CLI does.
func open(t testing.TB, name string, settings map[string]string) *Driver {
	t.Helper()
	reg, err := registry.Default.Lookup(registry.KindData, name)
	if err != nil {
		t.Fatal(err)
	}
	v, err := reg.Factory(context.Background(), registry.FactoryArgs{LoadedAs: name, Entry: name, Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	d := v.(*Driver)
	if err := d.Connect(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func run(t testing.TB, d *Driver, sql string, args ...any) *data.Result {
	t.Helper()
	res, err := d.Query(context.Background(), data.Query{Text: sql, Args: args})
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return res
}

func TestRegistered(t *testing.T) {
	for _, n := range []string{"DuckDB", "duckdbsql", "Sample"} {
		reg, err := registry.Default.Lookup(registry.KindData, n)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if reg.Source != registry.Builtin {
			t.Errorf("%s: source %v", n, reg.Source)
		}
	}
	if got := New(Options{}, nil).Dialect(); got != "sql" {
		t.Errorf("dialect %q", got)
	}
}

func TestTypes(t *testing.T) {
	d := open(t, "DuckDB", nil)
	res := run(t, d, `SELECT 1::TINYINT AS ti, 2::BIGINT AS bi, 3::UINTEGER AS ui, 170141183460469231731687303715884105727::HUGEINT AS hi,
		1.5::DOUBLE AS dbl, 1.25::DECIMAL(5,2) AS dec, true AS b, 'x' AS s,
		DATE '2024-01-02' AS d, TIMESTAMP '2024-01-02 03:04:05.5' AS ts, TIMESTAMPTZ '2024-01-02 03:04:05+02:00' AS tz,
		[1, 2] AS l, {'a': 1} AS st, NULL::VARCHAR AS n, '5f1c1e6a-0d1e-4c3b-9a8e-1c2d3e4f5a6b'::UUID AS u, INTERVAL 2 DAY AS iv,
		'ab'::BLOB AS bl`)
	f := res.Frame
	want := map[string]table.Type{"ti": table.Int, "bi": table.Int, "ui": table.Int, "hi": table.Int, "dbl": table.Float,
		"dec": table.Float, "b": table.Bool, "s": table.String, "d": table.Time, "ts": table.Time, "tz": table.Time,
		"l": table.Any, "st": table.Any, "n": table.String, "u": table.String, "iv": table.String}
	for name, typ := range want {
		i := f.ColumnIndex(name)
		if i < 0 || f.Columns[i].Type != typ {
			t.Errorf("column %s: got %+v, want type %s", name, f.Columns, typ)
		}
	}
	row := f.Rows[0]
	get := func(n string) any { return row[f.ColumnIndex(n)] }
	checks := []struct {
		col  string
		want any
	}{
		{"ti", int64(1)}, {"bi", int64(2)}, {"ui", int64(3)}, {"dbl", 1.5}, {"dec", 1.25}, {"b", true}, {"s", "x"},
		{"d", time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)},
		{"ts", time.Date(2024, 1, 2, 3, 4, 5, 5e8, time.UTC)},
		{"tz", time.Date(2024, 1, 2, 1, 4, 5, 0, time.UTC)},
		{"n", nil}, {"u", "5f1c1e6a-0d1e-4c3b-9a8e-1c2d3e4f5a6b"},
	}
	for _, c := range checks {
		got := get(c.col)
		if gt, ok := got.(time.Time); ok {
			if !gt.Equal(c.want.(time.Time)) || gt.Location() != time.UTC {
				t.Errorf("%s = %v, want %v (UTC)", c.col, gt, c.want)
			}
			continue
		}
		if got != c.want {
			t.Errorf("%s = %#v, want %#v", c.col, got, c.want)
		}
	}
	if hi, ok := get("hi").(float64); !ok || math.Abs(hi-1.7014118346046923e38) > 1e24 {
		t.Errorf("hugeint = %#v", get("hi"))
	}
	if l, ok := get("l").([]any); !ok || len(l) != 2 || l[0] != int64(1) {
		t.Errorf("list = %#v", get("l"))
	}
	if m, ok := get("st").(map[string]any); !ok || m["a"] != int64(1) {
		t.Errorf("struct = %#v", get("st"))
	}
}

func TestBoundArgs(t *testing.T) {
	d := open(t, "DuckDB", nil)
	hostile := []string{`' or 1=1 --`, `"`, `\`, "a\nb", "ünï ☃", ""}
	for _, h := range hostile {
		res := run(t, d, `SELECT ? AS v, length(?) AS n`, h, h)
		if got := res.Frame.Rows[0][0]; got != h {
			t.Errorf("bound %q came back as %#v", h, got)
		}
	}
	res := run(t, d, `SELECT count(*) FROM range(10) WHERE range >= $1`, 7)
	if got := res.Frame.Rows[0][0]; got != int64(3) {
		t.Errorf("count = %#v", got)
	}
}

func TestLimit(t *testing.T) {
	d := open(t, "DuckDB", nil)
	tests := []struct {
		limit     int
		rows      int
		truncated bool
	}{{0, 10, false}, {3, 3, true}, {10, 10, false}, {11, 10, false}}
	for _, tt := range tests {
		res, err := d.Query(context.Background(), data.Query{Text: "SELECT * FROM range(10)", Limit: tt.limit})
		if err != nil {
			t.Fatal(err)
		}
		if res.Frame.Len() != tt.rows || res.Truncated != tt.truncated {
			t.Errorf("limit %d: rows %d truncated %v, want %d %v", tt.limit, res.Frame.Len(), res.Truncated, tt.rows, tt.truncated)
		}
		if tt.truncated && !strings.Contains(res.Code, "row_limit") {
			t.Errorf("limit %d: code %q", tt.limit, res.Code)
		}
	}
}

func TestRejected(t *testing.T) {
	d := open(t, "DuckDB", nil)
	for _, q := range []string{"SELEC 1", "SELECT * FROM no_such_table", "SELECT no_col FROM range(1)",
		"SELECT * FROM read_csv('/nonexistent/file.csv')", "SELECT 'a'::INTEGER"} {
		_, err := d.Query(context.Background(), data.Query{Text: q})
		if !errors.Is(err, data.ErrRejected) {
			t.Errorf("%s: want ErrRejected, got %v", q, err)
		}
		if err != nil && !strings.Contains(err.Error(), "duckdb") {
			t.Errorf("%s: error does not name the driver: %v", q, err)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error spans several lines: %q", q, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.Query(ctx, data.Query{Text: "SELECT 1"}); err == nil || errors.Is(err, data.ErrRejected) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestConnectErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		opts Options
		conn string
	}{
		{"missing folder", Options{Database: filepath.Join(dir, "no", "such", "dir", "x.duckdb")}, ""},
		{"read-only missing file", Options{ReadOnly: true, Database: filepath.Join(dir, "absent.duckdb")}, ""},
		{"not a database", Options{}, writeFile(t, dir, "text.duckdb", "this is not a duckdb file, just some text")},
	}
	for _, tt := range tests {
		d := New(tt.opts, nil)
		err := d.Connect(context.Background(), tt.conn)
		if !errors.Is(err, data.ErrConnect) {
			t.Errorf("%s: want ErrConnect, got %v", tt.name, err)
		}
	}
	if _, err := New(Options{}, nil).Query(context.Background(), data.Query{Text: "SELECT 1"}); !errors.Is(err, data.ErrConnect) {
		t.Errorf("query before connect: %v", err)
	}
}

func writeFile(t *testing.T, dir, name, text string) string {
	p := filepath.Join(dir, name)
	if err := writeBytes(p, []byte(text)); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDatabaseFileReadOnly(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "hunt.duckdb")
	w := open(t, "DuckDB", map[string]string{"Database": db})
	run(t, w, "CREATE TABLE hosts AS SELECT 'WS-1' AS name UNION ALL SELECT 'WS-2'")
	w.Close()

	// relative path resolved against BaseDir, read-only, keys any case
	reg, _ := registry.Default.Lookup(registry.KindData, "DuckDB")
	v, err := reg.Factory(context.Background(), registry.FactoryArgs{Entry: "DuckDB", BaseDir: dir,
		Settings: map[string]string{"database": "hunt.duckdb", "read_only": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	r := v.(*Driver)
	if err := r.Connect(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := run(t, r, "SELECT count(*) FROM hosts").Frame.Rows[0][0]; got != int64(2) {
		t.Errorf("count %v", got)
	}
	_, err = r.Query(context.Background(), data.Query{Text: "INSERT INTO hosts VALUES ('WS-3')"})
	if !errors.Is(err, data.ErrRejected) || !strings.Contains(strings.ToLower(err.Error()), "read-only") {
		t.Errorf("write to read-only db: %v", err)
	}
	if !strings.Contains(r.CurrentConnection(), "hunt.duckdb") {
		t.Errorf("connection %q", r.CurrentConnection())
	}
}

func TestParseSettings(t *testing.T) {
	tests := []struct {
		in      map[string]string
		want    Options
		wantErr string
	}{
		{map[string]string{}, Options{}, ""},
		{map[string]string{"Database": "/x/y.db", "ReadOnly": "yes"}, Options{}, "ReadOnly"},
		{map[string]string{"Database": "/x/y.db", "ReadOnly": "True", "Threads": "2", "memory_limit": "1GB"},
			Options{Database: "/x/y.db", ReadOnly: true, Threads: 2, MemoryLimit: "1GB"}, ""},
		{map[string]string{"Threads": "-1"}, Options{}, "Threads"},
		{map[string]string{"Datbase": "x"}, Options{}, `unknown DuckDB setting "Datbase"`},
		{map[string]string{"MemoryLimit": "512 MiB"}, Options{MemoryLimit: "512MiB"}, ""},
		{map[string]string{"MemoryLimit": "1.5gb"}, Options{MemoryLimit: "1.5gb"}, ""},
		// the value goes into the connection string: no smuggled options
		{map[string]string{"Database": "/x/y.db", "ReadOnly": "true", "MemoryLimit": "1GB&access_mode=READ_WRITE"}, Options{}, "MemoryLimit"},
		{map[string]string{"MemoryLimit": "lots"}, Options{}, "is not a size"},
		{map[string]string{"MemoryLimit": "1024"}, Options{}, "is not a size"}, // DuckDB wants the unit
		{map[string]string{"Database": "/x/y.db?access_mode=READ_WRITE"}, Options{}, "'?' is not supported"},
	}
	for _, tt := range tests {
		got, err := ParseSettings(tt.in, "")
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: err %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%v: got %+v, %v", tt.in, got, err)
		}
	}
	reg, _ := registry.Default.Lookup(registry.KindData, "Sample")
	if _, err := reg.Factory(context.Background(), registry.FactoryArgs{Entry: "Sample", Settings: map[string]string{"Database": "x.db"}}); err == nil {
		t.Error("Sample accepted a Database setting")
	}
}

// TestFiles reads the corpus CSV export and JSON lines through DuckDB's
// file readers and compares row counts with Go's own readers.
func TestFiles(t *testing.T) {
	csvPath := testcorpus.Path(t, "logs", "msticpy-testdata", "host_logons.csv")
	d := open(t, "DuckDB", nil)
	res := run(t, d, "SELECT count(*) AS n FROM read_csv_auto(?)", csvPath)
	want := countCSV(t, csvPath)
	if got := res.Frame.Rows[0][0]; got != int64(want) {
		t.Errorf("csv rows: duckdb %v, Go %d", got, want)
	}
	dir := t.TempDir()
	pq := filepath.Join(dir, "logons.parquet")
	run(t, d, "COPY (SELECT * FROM read_csv_auto('"+csvPath+"')) TO '"+pq+"' (FORMAT parquet)")
	if got := run(t, d, "SELECT count(*) FROM read_parquet(?)", pq).Frame.Rows[0][0]; got != int64(want) {
		t.Errorf("parquet rows: %v want %d", got, want)
	}
}

func countCSV(t *testing.T, path string) int {
	t.Helper()
	b, err := readFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return len(recs) - 1
}

// sampleRows reads a sample table's CSV in Go.
func sampleRows(t *testing.T, file string) (map[string]int, [][]string) {
	t.Helper()
	b, err := fs.ReadFile(samples.Data(), file)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	idx := map[string]int{}
	for i, c := range recs[0] {
		idx[c] = i
	}
	return idx, recs[1:]
}

func TestSampleTables(t *testing.T) {
	d := open(t, "Sample", nil)
	for _, tb := range samples.Tables() {
		_, rows := sampleRows(t, tb.File)
		res := run(t, d, "SELECT * FROM "+tb.Name)
		if res.Frame.Len() != len(rows) {
			t.Errorf("%s: %d rows, CSV has %d", tb.Name, res.Frame.Len(), len(rows))
		}
		i := res.Frame.ColumnIndex("TimeGenerated")
		if i < 0 || res.Frame.Columns[i].Type != table.Time {
			t.Errorf("%s: TimeGenerated column %+v", tb.Name, res.Frame.Columns)
		}
	}
	if !strings.Contains(d.CurrentConnection(), "sample") {
		t.Errorf("connection %q", d.CurrentConnection())
	}
	// The sample tables are not visible in a plain DuckDB environment.
	plain := open(t, "DuckDB", nil)
	if _, err := plain.Query(context.Background(), data.Query{Text: "SELECT * FROM SecurityEvent"}); !errors.Is(err, data.ErrRejected) {
		t.Errorf("plain DuckDB sees sample tables: %v", err)
	}
}

// TestRepeatedColumnNames: a select list that repeats a name gives each
// column a name of its own (a, a.1), as pandas' read_sql does.
func TestRepeatedColumnNames(t *testing.T) {
	d := open(t, "DuckDB", nil)
	tests := []struct {
		sql  string
		want []string
	}{
		{"SELECT 1 AS a, 2 AS a", []string{"a", "a.1"}},
		{"SELECT 1 AS a, 2 AS a, 3 AS a", []string{"a", "a.1", "a.2"}},
		{"SELECT 1 AS a, 2 AS b", []string{"a", "b"}},
	}
	for _, tt := range tests {
		f := run(t, d, tt.sql).Frame
		if got := f.Names(); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: names %q, want %q", tt.sql, got, tt.want)
		}
		if f.Rows[0][1] != int64(2) {
			t.Errorf("%s: row %v", tt.sql, f.Rows[0])
		}
	}
}
