package localdata

import (
	"bytes"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
)

// parquetSeed writes rows to an in-memory Parquet file.
func parquetSeed[T any](tb testing.TB, rows []T) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := parquet.Write(&buf, rows); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

type parquetNested struct {
	Host string            `parquet:"Host"`
	Tags []string          `parquet:"Tags,list"`
	Attr map[string]string `parquet:"Attr"`
	Day  int32             `parquet:"Day,date"`
}

// FuzzReadParquet: LocalData reads Parquet files the user points it at.
// Any bytes give a frame whose rows match its columns, or an error; never
// a panic.
func FuzzReadParquet(f *testing.F) {
	note := "n\u00e9"
	flat := parquetSeed(f, []parquetRow{
		{Host: "h1", Count: 3, Score: 1.5, Bad: true, When: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), Note: &note},
		{Host: "h2", Count: -1, When: time.Unix(0, 0)},
	})
	nested := parquetSeed(f, []parquetNested{{Host: "h", Tags: []string{"a", "b"}, Attr: map[string]string{"k": "v"}, Day: 19000}})
	f.Add(flat)
	f.Add(nested)
	f.Add(flat[:len(flat)/2])                  // cut short
	f.Add(append([]byte("PAR1"), flat[4:]...)) // header only changed
	f.Add([]byte("PAR1PAR1"))
	f.Add([]byte("not parquet at all"))
	f.Fuzz(func(t *testing.T, b []byte) {

		fr, err := ReadParquet(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			if !utf8.ValidString(err.Error()) {
				t.Fatalf("error is not valid UTF-8: %q", err.Error())
			}
			return
		}
		for i, r := range fr.Rows {
			if len(r) != len(fr.Columns) {
				t.Fatalf("row %d has %d values for %d columns", i+1, len(r), len(fr.Columns))
			}
		}
	})
}
