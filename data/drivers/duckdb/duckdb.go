// Package duckdb owns msticgo's DuckDB data driver: SQL over CSV, JSON
// (array, records or JSON lines) and Parquet files and over DuckDB database
// files, in process through the official Go binding (cgo).
//
// It registers two data environments:
//
//   - DuckDB (alias DuckDBSQL): an in-memory database by default, or the
//     file named by the Database setting (or the connection string given to
//     Connect); ReadOnly opens it read-only. Query packs for it read files
//     with read_csv/read_json_auto/read_parquet and take the path as a
//     parameter (see querypacks).
//   - Sample: an in-memory database preloaded with msticgo's embedded sample
//     dataset (package samples: tables SecurityEvent, NetworkConnection,
//     DnsEvent), the target of the embedded sample query pack, so that
//     `msticgo query run --env Sample WindowsSecurity.list_host_logons
//     host_name=...` works with no config and no files. It is a separate
//     environment (not an alias of DuckDB or LocalData) so that LocalData
//     keeps MSTICPy's semantics and a user's DuckDB queries never see the
//     sample tables.
//
// Results become table.Frame values with typed columns (integers → int,
// floating and decimal → float, BOOLEAN → bool, DATE/TIMESTAMP → time in
// UTC, lists/structs/maps → any, everything else → string). A query the
// engine refuses wraps data.ErrRejected; a database that cannot be opened
// wraps data.ErrConnect. The session time zone is UTC.
package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	duckdbgo "github.com/duckdb/duckdb-go/v2"

	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/registry"
	"github.com/msticgo/msticgo/table"
)

// Names this package registers.
const (
	Name       = "DuckDB"
	SampleName = "Sample"
)

func init() {
	registry.Default.MustRegister(registry.Registration{
		Kind:        registry.KindData,
		Name:        Name,
		Aliases:     []string{"DuckDBSQL"},
		Description: "DuckDB SQL over CSV/JSON/Parquet files and DuckDB databases (in-memory by default)",
		Source:      registry.Builtin,
		Factory: func(ctx context.Context, a registry.FactoryArgs) (any, error) {
			o, err := ParseSettings(a.Settings, a.BaseDir)
			if err != nil {
				return nil, fmt.Errorf("data provider %s: %w: %w", a.Entry, data.ErrSettings, err)
			}
			return New(o, a.Logger), nil
		},
		Meta: map[string]any{"dialect": "sql", "effective_environment": Name, "settings": []string{"Database", "ReadOnly", "Threads", "MemoryLimit"}},
	})
	registry.Default.MustRegister(registry.Registration{
		Kind:        registry.KindData,
		Name:        SampleName,
		Description: "msticgo's embedded sample dataset (Windows logons and processes, network, DNS) in an in-memory DuckDB",
		Source:      registry.Builtin,
		Factory: func(ctx context.Context, a registry.FactoryArgs) (any, error) {
			o, err := ParseSettings(a.Settings, a.BaseDir)
			if err != nil {
				return nil, fmt.Errorf("data provider %s: %w: %w", a.Entry, data.ErrSettings, err)
			}
			if o.Database != "" {
				return nil, fmt.Errorf("data provider %s: %w: the Sample environment is always in memory; remove the Database setting", a.Entry, data.ErrSettings)
			}
			o.Sample = true
			return New(o, a.Logger), nil
		},
		Meta: map[string]any{"dialect": "sql"},
	})
}

// Options configure a Driver.
type Options struct {
	// Database is a DuckDB database file; empty means in memory.
	Database string
	// ReadOnly opens the database file read-only.
	ReadOnly bool
	// Threads caps DuckDB's worker threads (0 = DuckDB's default).
	Threads int
	// MemoryLimit is DuckDB's memory_limit setting, e.g. "2GB" ("" = default).
	MemoryLimit string
	// Sample preloads the embedded sample dataset (in memory only).
	Sample bool
}

// settingKeys are the accepted settings, keyed by their lower-case form.
var settingKeys = map[string]string{
	"database":    "Database",
	"readonly":    "ReadOnly",
	"threads":     "Threads",
	"memorylimit": "MemoryLimit",
}

// memoryLimitRE is a DuckDB memory size: a number and its unit.
var memoryLimitRE = regexp.MustCompile(`(?i)^\d+(\.\d+)?\s*(b|bytes|kb|mb|gb|tb|kib|mib|gib|tib)$`)

// ParseSettings reads the provider's settings (DataProviders.<Name>.Args).
// Keys are matched case-insensitively (underscores ignored); an unknown key
// is an error naming it. A relative Database path is resolved against
// baseDir.
func ParseSettings(s map[string]string, baseDir string) (Options, error) {
	var o Options
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := strings.TrimSpace(s[k])
		canon, ok := settingKeys[strings.ToLower(strings.ReplaceAll(k, "_", ""))]
		if !ok {
			return o, fmt.Errorf("unknown DuckDB setting %q (valid: Database, ReadOnly, Threads, MemoryLimit)", k)
		}
		switch canon {
		case "Database":
			o.Database = v
		case "ReadOnly":
			if v == "" {
				continue
			}
			b, err := strconv.ParseBool(v)
			if err != nil {
				return o, fmt.Errorf("DuckDB setting ReadOnly: %q is not true or false", v)
			}
			o.ReadOnly = b
		case "Threads":
			if v == "" {
				continue
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return o, fmt.Errorf("DuckDB setting Threads: %q is not a non-negative whole number", v)
			}
			o.Threads = n
		case "MemoryLimit":
			// it goes into the connection string: only a size, so it
			// cannot carry other options (access_mode=READ_WRITE)
			if v != "" && !memoryLimitRE.MatchString(v) {
				return o, fmt.Errorf("DuckDB setting MemoryLimit: %q is not a size such as 512MB or 2GB", v)
			}
			o.MemoryLimit = strings.ReplaceAll(v, " ", "")
		}
	}
	if strings.ContainsRune(o.Database, '?') {
		return o, fmt.Errorf("DuckDB setting Database: %q: a file name with '?' is not supported (it starts the connection options)", o.Database)
	}
	if o.Database != "" && o.Database != ":memory:" && !filepath.IsAbs(o.Database) && baseDir != "" {
		o.Database = filepath.Join(baseDir, o.Database)
	}
	return o, nil
}

// Driver is the DuckDB data driver. Create it with New; it is safe for
// concurrent queries once connected.
type Driver struct {
	opts   Options
	logger *slog.Logger
	db     *sql.DB
	conn   string
}

// New returns an unconnected driver.
func New(o Options, logger *slog.Logger) *Driver {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Driver{opts: o, logger: logger}
}

// Dialect reports the query language: "sql".
func (d *Driver) Dialect() string { return "sql" }

// CurrentConnection describes what the driver is connected to.
func (d *Driver) CurrentConnection() string { return d.conn }

// Connect opens the database. A non-empty connStr names the database file
// and overrides the Database setting (":memory:" forces memory).
func (d *Driver) Connect(ctx context.Context, connStr string) error {
	if d.db != nil {
		return nil
	}
	path := d.opts.Database
	if connStr = strings.TrimSpace(connStr); connStr != "" {
		path = connStr
	}
	if path == ":memory:" {
		path = ""
	}
	if d.opts.Sample && path != "" {
		return fmt.Errorf("duckdb: the Sample environment is always in memory (got %q)", path)
	}
	q := []string{}
	if path != "" && d.opts.ReadOnly {
		q = append(q, "access_mode=READ_ONLY")
	}
	if d.opts.Threads > 0 {
		q = append(q, "threads="+strconv.Itoa(d.opts.Threads))
	}
	if d.opts.MemoryLimit != "" {
		q = append(q, "memory_limit="+d.opts.MemoryLimit)
	}
	dsn := path
	if len(q) > 0 {
		dsn += "?" + strings.Join(q, "&")
	}
	connector, err := duckdbgo.NewConnector(dsn, func(ex driver.ExecerContext) error {
		_, err := ex.ExecContext(ctx, "SET TimeZone = 'UTC'", nil)
		return err
	})
	if err != nil {
		return fmt.Errorf("%w: duckdb: opening %s: %w", data.ErrConnect, describe(path), oneLine{err})
	}
	db := sql.OpenDB(connector)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return fmt.Errorf("%w: duckdb: opening %s: %w", data.ErrConnect, describe(path), oneLine{err})
	}
	if d.opts.Sample {
		if err := loadSample(ctx, db); err != nil {
			db.Close()
			return fmt.Errorf("%w: duckdb: loading the embedded sample dataset: %w", data.ErrConnect, err)
		}
	}
	d.db = db
	d.conn = describe(path)
	if d.opts.Sample {
		d.conn = "embedded sample dataset (in memory)"
	}
	d.logger.Debug("duckdb connected", "database", d.conn, "read_only", d.opts.ReadOnly)
	return nil
}

func describe(path string) string {
	if path == "" {
		return "in-memory database"
	}
	return "database file " + path
}

// Close releases the database.
func (d *Driver) Close() error {
	if d.db == nil {
		return nil
	}
	err := d.db.Close()
	d.db = nil
	return err
}

// Query runs one SQL statement with the bound Args ($1 or ? placeholders)
// and returns its rows. When q.Limit > 0 and more rows exist, the result has
// Truncated set and Code "row_limit".
func (d *Driver) Query(ctx context.Context, q data.Query) (*data.Result, error) {
	if d.db == nil {
		return nil, fmt.Errorf("%w: duckdb: not connected (call Connect first)", data.ErrConnect)
	}
	rows, err := d.db.QueryContext(ctx, q.Text, q.Args...)
	if err != nil {
		return nil, classify(ctx, err)
	}
	defer rows.Close()
	f, truncated, err := readRows(rows, q.Limit)
	if err != nil {
		return nil, classify(ctx, err)
	}
	res := &data.Result{Frame: f, Truncated: truncated}
	if truncated {
		res.Code = fmt.Sprintf("row_limit: stopped after %d rows", q.Limit)
	}
	return res, nil
}

// classify wraps a back-end error with the sentinel saying whose fault it is.
func classify(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("duckdb: query cancelled: %w", ctxErr)
	}
	var de *duckdbgo.Error
	if errors.As(err, &de) {
		switch de.Type {
		case duckdbgo.ErrorTypeConnection, duckdbgo.ErrorTypeNetwork, duckdbgo.ErrorTypeOutOfMemory,
			duckdbgo.ErrorTypeFatal, duckdbgo.ErrorTypeInternal, duckdbgo.ErrorTypeInterrupt:
			return fmt.Errorf("duckdb: %w", err)
		case duckdbgo.ErrorTypeIO:
			return ioError{err}
		}
	}
	return fmt.Errorf("%w: duckdb: %w", data.ErrRejected, oneLine{err})
}

// noFilesRE is DuckDB's message for a file pattern that matches nothing.
var noFilesRE = regexp.MustCompile(`^IO Error: No files found that match the pattern "(.*)"`)

// ioError is a file the query reads that cannot be read (a data_path that
// does not exist, ...): a rejected query, told without the query text
// excerpt DuckDB appends (the SQL of a query pack is not the user's).
type ioError struct{ err error }

func (e ioError) Unwrap() []error { return []error{data.ErrRejected, e.err} }

func (e ioError) Error() string {
	first, _, _ := strings.Cut(strings.TrimSpace(e.err.Error()), "\n")
	if m := noFilesRE.FindStringSubmatch(first); m != nil {
		return fmt.Sprintf("duckdb: data file not found: no file matches %q", m[1])
	}
	return "duckdb: " + strings.TrimSpace(first)
}

// oneLine shows a multi-line DuckDB message (LINE n: ... and a caret
// marker) on one line, so the CLI prints one clear line.
type oneLine struct{ err error }

func (o oneLine) Unwrap() error { return o.err }

func (o oneLine) Error() string {
	lines := strings.Split(strings.TrimSpace(o.err.Error()), "\n")
	var parts []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" || strings.Trim(l, "^ ") == "" {
			continue
		}
		parts = append(parts, l)
	}
	if len(parts) <= 1 {
		return strings.Join(parts, "")
	}
	return parts[0] + " (" + strings.Join(parts[1:], "; ") + ")"
}

// kindOf maps a DuckDB type name to a frame column type.
func kindOf(dbType string) table.Type {
	t := strings.ToUpper(dbType)
	switch {
	case t == "BOOLEAN":
		return table.Bool
	case t == "TINYINT", t == "SMALLINT", t == "INTEGER", t == "BIGINT", t == "HUGEINT",
		t == "UTINYINT", t == "USMALLINT", t == "UINTEGER", t == "UBIGINT", t == "UHUGEINT":
		return table.Int
	case t == "FLOAT", t == "DOUBLE", strings.HasPrefix(t, "DECIMAL"):
		return table.Float
	case t == "DATE", strings.HasPrefix(t, "TIMESTAMP"):
		return table.Time
	case strings.HasPrefix(t, "STRUCT"), strings.HasPrefix(t, "MAP"), strings.HasPrefix(t, "UNION"),
		strings.HasSuffix(t, "[]"), strings.HasSuffix(t, "]"), t == "LIST", t == "ARRAY":
		return table.Any
	}
	return table.String
}

func readRows(rows *sql.Rows, limit int) (*table.Frame, bool, error) {
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, false, err
	}
	f := &table.Frame{Columns: make([]table.Column, len(cts))}
	for i, ct := range cts {
		f.Columns[i] = table.Column{Name: ct.Name(), Type: kindOf(ct.DatabaseTypeName())}
	}
	f.UniqueColumns() // SELECT 1 a, 2 a: a, a.1
	isUUID := make([]bool, len(cts))
	for i, ct := range cts {
		isUUID[i] = strings.EqualFold(ct.DatabaseTypeName(), "UUID")
	}
	vals := make([]any, len(cts))
	ptrs := make([]any, len(cts))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	truncated := false
	for rows.Next() {
		if limit > 0 && len(f.Rows) >= limit {
			truncated = true
			break
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, false, err
		}
		row := make([]any, len(vals))
		for i, v := range vals {
			if b, ok := v.([]byte); ok && isUUID[i] && len(b) == 16 {
				v = uuidString(b)
			}
			row[i] = convert(v, f.Columns[i].Type)
		}
		f.Rows = append(f.Rows, row)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	return f, truncated, nil
}

func uuidString(b []byte) string {
	const hexdig = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hexdig[c>>4], hexdig[c&15])
	}
	return string(out)
}

// convert turns a scanned DuckDB value into a frame value.
func convert(v any, kind table.Type) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string, bool, int64, float64:
		return x
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		if x > 1<<63-1 {
			return float64(x)
		}
		return int64(x)
	case float32:
		return float64(x)
	case *big.Int:
		if x.IsInt64() {
			return x.Int64()
		}
		f, _ := new(big.Float).SetInt(x).Float64()
		return f
	case duckdbgo.Decimal:
		return x.Float64()
	case time.Time:
		if kind == table.Time {
			return x.UTC()
		}
		return x.Format("15:04:05.999999")
	case duckdbgo.UUID:
		return x.String()
	case *duckdbgo.UUID:
		return x.String()
	case duckdbgo.Interval:
		return fmt.Sprintf("%d months %d days %dus", x.Months, x.Days, x.Micros)
	case []byte:
		if kind == table.String {
			return string(x)
		}
		return x
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = convert(e, table.Any)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = convert(e, table.Any)
		}
		return out
	case duckdbgo.Map:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = convert(e, table.Any)
		}
		return out
	}
	return fmt.Sprint(v)
}

// Interface guards.
var (
	_ data.Driver  = (*Driver)(nil)
	_ data.Dialect = (*Driver)(nil)
)
