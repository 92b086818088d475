package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
)

// TestUTF16Input: a UTF-16 file (PowerShell's > writes one) is read as its
// text, with either byte order (new-user review 3, finding 5).
func TestUTF16Input(t *testing.T) {
	text := "91.234.254.144\r\nsoftupdates[.]info\r\n"
	enc := func(bigEndian bool) []byte {
		var b []byte
		if bigEndian {
			b = []byte{0xFE, 0xFF}
		} else {
			b = []byte{0xFF, 0xFE}
		}
		for _, u := range utf16.Encode([]rune(text)) {
			if bigEndian {
				b = append(b, byte(u>>8), byte(u))
			} else {
				b = append(b, byte(u), byte(u>>8))
			}
		}
		return b
	}
	for _, be := range []bool{false, true} {
		p := filepath.Join(t.TempDir(), "iocs.txt")
		if err := os.WriteFile(p, enc(be), 0o600); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			args []string
			want []string
		}{
			{"ti lookup --file", []string{"-o", "csv", "ti", "lookup", "--providers", "Feeds", "--file", p}, []string{"91.234.254.144,ipv4", "softupdates[.]info,dns,softupdates.info"}},
			{"ioc extract FILE", []string{"-o", "csv", "ioc", "extract", p}, []string{"ipv4,91.234.254.144", "dns,softupdates.info"}},
		}
		for _, tt := range tests {
			r := run(t, nil, tt.args...)
			if r.code != 0 {
				t.Errorf("%s (big endian %v): exit %d: %s", tt.name, be, r.code, r.stderr)
				continue
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("%s (big endian %v): no %q in\n%s", tt.name, be, w, r.stdout)
				}
			}
		}
	}
}

// TestPipedTableOutput: the default aligned table piped to ti lookup
// --column gets a hint, not a list of columns that seems to hold the one
// asked for (new-user review 3, finding 7).
func TestPipedTableOutput(t *testing.T) {
	q := run(t, nil, "query", "run", "Network.list_public_destinations")
	if q.code != 0 {
		t.Fatalf("query: exit %d: %s", q.code, q.stderr)
	}
	var out, errb strings.Builder
	code := Run(context.Background(), Env{
		Args: []string{"ti", "lookup", "--column", "DestinationIP"}, Stdin: strings.NewReader(q.stdout), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return map[string]string{"HOME": t.TempDir()}[k] },
	})
	if code != 2 || !strings.Contains(errb.String(), "looks like an aligned table (-o table)") || strings.Count(strings.TrimSpace(errb.String()), "\n") > 1 {
		t.Errorf("exit %d: %s", code, errb.String())
	}
}

// TestJSONRecordsWithoutColumn: -o ndjson or -o json output piped to ti
// lookup without --column is one clear error listing the columns, not a
// row of "unsupported type" per record with exit 0 (new-user review 4).
func TestJSONRecordsWithoutColumn(t *testing.T) {
	for _, format := range []string{"ndjson", "json"} {
		q := run(t, nil, "-o", format, "query", "run", "Network.list_public_destinations")
		if q.code != 0 {
			t.Fatalf("query: exit %d: %s", q.code, q.stderr)
		}
		var out, errb strings.Builder
		code := Run(context.Background(), Env{
			Args: []string{"ti", "lookup"}, Stdin: strings.NewReader(q.stdout), Stdout: &out, Stderr: &errb,
			Getenv: func(k string) string { return map[string]string{"HOME": t.TempDir()}[k] },
		})
		if code != 2 || !strings.Contains(errb.String(), "name the column to look up with --column (columns: Computer, Connections, DestinationIP") || out.Len() != 0 {
			t.Errorf("%s: exit %d: %s", format, code, errb.String())
		}
	}
}

// TestUnmarkedUTF16AndControlNames: UTF-16 without a byte order mark is
// recognised by its NUL bytes; column names read from a file are quoted in
// errors when they hold control characters (adversarial review 2).
func TestUnmarkedUTF16AndControlNames(t *testing.T) {
	dir := t.TempDir()
	enc := func(s string, big bool) []byte {
		var b []byte
		for _, u := range utf16.Encode([]rune(s)) {
			if big {
				b = append(b, byte(u>>8), byte(u))
			} else {
				b = append(b, byte(u), byte(u>>8))
			}
		}
		return b
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"big endian lines", []string{"--file", write("be.txt", enc("91.234.254.144\nsoftupdates[.]info\n", true))}, 0, "91.234.254.144,ipv4"},
		{"little endian csv", []string{"--file", write("le.csv", enc("ioc,t\r\n91.234.254.144,ipv4\r\n", false)), "--column", "ioc"}, 0, "91.234.254.144,ipv4"},
		{"control characters in a column name", []string{"--file", write("c.csv", []byte("io\x1b[31mc\n1.2.3.4\n")), "--column", "ioc"}, 2, `(columns: "io\x1b[31mc")`},
	}
	for _, tt := range tests {
		r := run(t, nil, append([]string{"-o", "csv", "ti", "lookup", "--providers", "Feeds"}, tt.args...)...)
		if r.code != tt.code || !strings.Contains(r.stdout+r.stderr, tt.want) || strings.Contains(r.stderr, "\x1b") {
			t.Errorf("%s: exit %d\n%s\n%q", tt.name, r.code, r.stdout, r.stderr)
		}
	}
}
