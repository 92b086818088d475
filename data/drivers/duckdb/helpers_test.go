package duckdb

import "os"

func writeBytes(p string, b []byte) error { return os.WriteFile(p, b, 0o600) }
func readFile(p string) ([]byte, error)   { return os.ReadFile(p) }
