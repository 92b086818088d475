package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/msticgo/msticgo/samples"
)

// loadSample creates the sample tables in db from the embedded CSV files.
// The files are copied to a temporary folder for DuckDB's CSV reader and
// removed again; the tables live in memory.
func loadSample(ctx context.Context, db *sql.DB) error {
	dir, err := os.MkdirTemp("", "msticgo-sample-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	src := samples.Data()
	for _, t := range samples.Tables() {
		b, err := fs.ReadFile(src, t.File)
		if err != nil {
			return err
		}
		p := filepath.Join(dir, t.File)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			return err
		}
		stmt := fmt.Sprintf(`CREATE TABLE %s AS SELECT * REPLACE (CAST(TimeGenerated AS TIMESTAMPTZ) AS TimeGenerated)
FROM read_csv(%s, header = true, auto_detect = true, timestampformat = '%%Y-%%m-%%d %%H:%%M:%%S')`,
			t.Name, quoteLiteral(p))
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("table %s: %w", t.Name, err)
		}
	}
	return nil
}

// quoteLiteral quotes s as a SQL string literal.
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
