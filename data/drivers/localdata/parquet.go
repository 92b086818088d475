package localdata

import (
	"fmt"
	"io"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/msticgo/msticgo/table"
)

// ReadParquet reads a Parquet file with a flat schema (nested groups are
// kept as maps and lists in "any" columns). Timestamp and date columns
// become times in UTC.
func ReadParquet(r io.ReaderAt, size int64) (_ *table.Frame, err error) {
	// The Parquet library can panic on a corrupt file (a length field past
	// the end of a page, for one); a damaged file is bad input, not a crash.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("not a readable Parquet file: corrupt data (%v)", p)
		}
	}()
	pf, err := parquet.OpenFile(r, size)
	if err != nil {
		return nil, fmt.Errorf("not a readable Parquet file: %w", err)
	}
	fields := pf.Schema().Fields()
	f := &table.Frame{Columns: make([]table.Column, len(fields))}
	kinds := make([]string, len(fields))
	for i, fd := range fields {
		f.Columns[i] = table.Column{Name: fd.Name(), Type: parquetType(fd)}
		if fd.Leaf() {
			kinds[i] = logical(fd)
		}
	}
	rd := parquet.NewReader(pf)
	defer rd.Close()
	for {
		m := map[string]any{}
		if err := rd.Read(&m); err != nil {
			if err == io.EOF {
				break
			}
			return nil, fmt.Errorf("row %d: %w", len(f.Rows)+1, err)
		}
		row := make([]any, len(fields))
		for i, fd := range fields {
			row[i] = parquetValue(m[fd.Name()], kinds[i])
		}
		f.Rows = append(f.Rows, row)
	}
	return f.UniqueColumns(), nil
}

func logical(fd parquet.Field) string {
	lt := fd.Type().LogicalType()
	if lt == nil {
		return ""
	}
	switch v := lt.Value.(type) {
	case *format.TimestampType:
		if v.Unit.Value == nil {
			return "ts_ms"
		}
		switch v.Unit.Value.Duration() {
		case time.Nanosecond:
			return "ts_ns"
		case time.Microsecond:
			return "ts_us"
		}
		return "ts_ms"
	case *format.DateType:
		return "date"
	case *format.StringType, *format.EnumType, *format.UUIDType, *format.JsonType:
		return "string"
	case *format.DecimalType:
		return "decimal"
	}
	return ""
}

func parquetType(fd parquet.Field) table.Type {
	if !fd.Leaf() || fd.Repeated() {
		return table.Any
	}
	switch logical(fd) {
	case "ts_ns", "ts_us", "ts_ms", "date":
		return table.Time
	case "string":
		return table.String
	case "decimal":
		return table.Any
	}
	switch fd.Type().Kind() {
	case parquet.Boolean:
		return table.Bool
	case parquet.Int32, parquet.Int64:
		return table.Int
	case parquet.Float, parquet.Double:
		return table.Float
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return table.String
	}
	return table.Any
}

func parquetValue(v any, kind string) any {
	switch x := v.(type) {
	case nil:
		return nil
	case time.Time:
		return x.UTC()
	case int32:
		if kind == "date" {
			return time.Unix(int64(x)*86400, 0).UTC()
		}
		return int64(x)
	case int64:
		switch kind {
		case "ts_ns":
			return time.Unix(0, x).UTC()
		case "ts_us":
			return time.UnixMicro(x).UTC()
		case "ts_ms":
			return time.UnixMilli(x).UTC()
		}
		return x
	case uint32:
		return int64(x)
	case uint64:
		return int64(x)
	case int:
		return int64(x)
	case float32:
		return float64(x)
	case []byte:
		return string(x)
	}
	return v
}
