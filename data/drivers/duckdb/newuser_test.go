package duckdb

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/msticgo/msticgo/data"
)

// A data file that does not exist is named, without the SQL excerpt DuckDB
// appends (the query pack's template is not the user's text).
func TestNewUserMissingDataFile(t *testing.T) {
	d := open(t, "DuckDB", nil)
	missing := filepath.Join(t.TempDir(), "nope.json")
	q := "SELECT *\nFROM read_json($1, format = 'newline_delimited')\nWHERE 1 = 1"
	_, err := d.Query(context.Background(), data.Query{Text: q, Args: []any{missing}})
	want := `duckdb: data file not found: no file matches "` + missing + `"`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
	if !errors.Is(err, data.ErrRejected) || strings.Contains(err.Error(), "LINE") {
		t.Errorf("not ErrRejected, or quotes the SQL: %v", err)
	}
}
