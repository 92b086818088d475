// Package all links every built-in data driver into a program by blank
// imports, one file per driver (delete a file to leave a driver out of a
// slim build). cmd/msticgo imports it.
package all

import _ "github.com/msticgo/msticgo/data/drivers/duckdb" // DuckDB and Sample environments
