// Package data owns the data-query layer's core: the Driver interface that
// every data provider implements (with the optional Dialect and Binder), the
// sentinels ErrRejected, ErrConnect and ErrSettings, QueryProvider (a driver
// resolved through the registry plus the queries of its environment:
// Render, Run, Exec, Help, List), split runs (SplitQuery, RenderSplit,
// MergeChunks) and the config look-ups ConfigEntry and SectionSettings. The
// query files themselves are data/querystore's, parameter rendering and
// escaping data/render's, environment names data/dataenv's, and the drivers
// live under data/drivers.
package data

import (
	"context"
	"errors"

	"github.com/msticgo/msticgo/table"
)

// Query is one query to run.
type Query struct {
	Text string // the rendered query text
	// Args are bound parameters for drivers whose language supports them
	// (SQL placeholders); nil for text-only languages.
	Args []any
	// Limit caps rows returned (0 = driver default). Drivers that stop
	// early must say so in Result.Truncated.
	Limit int
}

// Result is a query's outcome.
type Result struct {
	Frame *table.Frame
	// Truncated is set when the back end stopped before all rows were
	// returned (row limit, size limit); Code carries the back end's reason.
	Truncated bool
	// Partial is set when the back end reported a partial failure.
	Partial bool
	Code    string
}

// Driver is what every data provider implements.
type Driver interface {
	// Connect opens the connection; connStr may be empty (settings come
	// from the registry's FactoryArgs).
	Connect(ctx context.Context, connStr string) error
	// Query runs one query.
	Query(ctx context.Context, q Query) (*Result, error)
}

// Dialect is an optional ability: the query language, used to escape
// values placed inside string literals: "kql", "spl", "sql", "lucene", or ""
// (no escaping beyond MSTICPy's).
type Dialect interface {
	Dialect() string
}

// Sentinel errors drivers wrap (errors.Is) so callers can tell whether the
// back end refused the query or could not be reached. Both are runtime
// failures for the CLI (exit 1): the query text passed msticgo's own checks
// (which fail with exit 2 before anything is sent), so what the back end
// makes of it is a fact about that back end (its schema, its dialect, the
// files it holds).
var (
	// ErrRejected: the back end refused the query (syntax, unknown table or
	// column, type error, missing data file named by the query).
	ErrRejected = errors.New("query rejected by back end")
	// ErrConnect: the back end could not be reached or opened (network,
	// authentication, missing or locked database file).
	ErrConnect = errors.New("cannot connect to back end")
	// ErrSettings: a driver's factory refused its settings (an unknown
	// key, a value of the wrong form). The CLI maps it to exit 2
	// (configuration).
	ErrSettings = errors.New("bad driver settings")
)
