package localdata

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/internal/testcorpus"
	"github.com/msticgo/msticgo/registry"
	"github.com/msticgo/msticgo/table"
)

func newFromRegistry(t *testing.T, settings map[string]string, baseDir string) *Driver {
	t.Helper()
	reg, err := registry.Default.Lookup(registry.KindData, "localdata")
	if err != nil {
		t.Fatal(err)
	}
	v, err := reg.Factory(context.Background(), registry.FactoryArgs{LoadedAs: "LocalData", Entry: "LocalData", Settings: settings, BaseDir: baseDir})
	if err != nil {
		t.Fatal(err)
	}
	return v.(*Driver)
}

func query(t *testing.T, d *Driver, text string) (*data.Result, error) {
	t.Helper()
	return d.Query(context.Background(), data.Query{Text: text})
}

// TestCorpusQueries follows MSTICPy's LocalData tests: the file names of
// queries-fixtures/localdata/test_localdata_queries.yaml against the
// corpus exports.
func TestCorpusQueries(t *testing.T) {
	dir := testcorpus.Path(t, "logs", "msticpy-testdata")
	d := newFromRegistry(t, map[string]string{"data_paths": dir}, "")
	if d.Dialect() != "" || d.CurrentConnection() != dir {
		t.Errorf("dialect %q connection %q", d.Dialect(), d.CurrentConnection())
	}
	res, err := query(t, d, "HOST_HB.csv") // case-insensitive
	if err != nil {
		t.Fatal(err)
	}
	if res.Frame.Len() < 1 || len(res.Frame.Columns) <= 10 {
		t.Errorf("host_hb.csv: %d rows, %d columns", res.Frame.Len(), len(res.Frame.Columns))
	}
	if res.Frame.Columns[0].Name != "Unnamed: 0" {
		t.Errorf("first column %q", res.Frame.Columns[0].Name)
	}
	// A query naming a pickle reads the converted copy (host_logons.csv).
	res, err = query(t, d, "host_logons.pkl")
	if err != nil || res.Frame.Len() < 1 || res.Frame.ColumnIndex("TargetUserName") < 0 {
		t.Errorf("host_logons.pkl via CSV copy: %v", err)
	}
	_, err = query(t, d, "az_net_comms_df.pkl")
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "converted copy") {
		t.Errorf("missing pickle: %v", err)
	}
	_, err = query(t, d, "linux_logons.csv")
	if !errors.Is(err, data.ErrRejected) || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "linux_logons.csv") {
		t.Errorf("missing file: %v", err)
	}
}

func TestCorpusCSVFiles(t *testing.T) {
	dir := testcorpus.Path(t, "logs", "msticpy-testdata")
	entries, _ := os.ReadDir(dir)
	n := 0
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".csv" {
			continue
		}
		n++
		p := filepath.Join(dir, e.Name())
		f, err := ReadFile(p)
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		if want := goCSVRows(t, p); f.Len() != want {
			t.Errorf("%s: %d rows, encoding/csv says %d", e.Name(), f.Len(), want)
		}
		if i := f.ColumnIndex("TimeGenerated"); i >= 0 && e.Name() == "host_logons.csv" {
			if f.Columns[i].Type != table.Time {
				t.Errorf("%s: TimeGenerated is %s", e.Name(), f.Columns[i].Type)
			}
			want := time.Date(2019, 1, 15, 5, 15, 2, 980e6, time.UTC)
			if got := f.Rows[0][i]; got != want {
				t.Errorf("first TimeGenerated %v, want %v", got, want)
			}
			if ev := f.ColumnIndex("EventID"); f.Columns[ev].Type != table.Int || f.Rows[0][ev] != int64(4624) {
				t.Errorf("EventID %s %v", f.Columns[ev].Type, f.Rows[0][ev])
			}
		}
		if e.Name() == "sudo_events.csv" && f.Columns[0].Name != "Unnamed: 0" {
			t.Errorf("BOM not dropped: %q", f.Columns[0].Name)
		}
	}
	if n < 10 {
		t.Errorf("only %d CSV files", n)
	}
}

func goCSVRows(t *testing.T, p string) int {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return len(recs) - 1
}

func TestCorpusNDJSON(t *testing.T) {
	dir := testcorpus.Path(t, "logs", "msticpy-testdata", "velociraptor")
	d := New([]string{filepath.Dir(dir)}, nil)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		res, err := query(t, d, e.Name())
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		if want := nonBlankLines(t, filepath.Join(dir, e.Name())); res.Frame.Len() != want {
			t.Errorf("%s: %d rows, %d lines", e.Name(), res.Frame.Len(), want)
		}
	}
}

func nonBlankLines(t *testing.T, p string) int {
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	n := 0
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			n++
		}
	}
	return n
}

func TestPickle(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "host_logons.pkl"), []byte("\x80\x04junk"), 0o600)
	d := New([]string{dir}, nil)
	_, err := query(t, d, "host_logons.pkl")
	if err != nil {
		t.Logf("%v", err)
	}
	if !errors.Is(err, data.ErrRejected) || !strings.Contains(err.Error(), "pd.read_pickle(") || !strings.Contains(err.Error(), "to_parquet(") ||
		!strings.Contains(err.Error(), "host_logons.parquet") {
		t.Errorf("pickle error: %v", err)
	}
	// Once converted, the same query reads the Parquet copy.
	note := "x"
	if err := parquet.WriteFile(filepath.Join(dir, "host_logons.parquet"), []parquetRow{{Host: "h", When: time.Unix(0, 0), Note: &note}}); err != nil {
		t.Fatal(err)
	}
	d = New([]string{dir}, nil)
	res, err := query(t, d, "HOST_LOGONS.pkl")
	if err != nil || res.Frame.Len() != 1 {
		t.Errorf("converted pickle: %v", err)
	}
}

type parquetRow struct {
	Host  string    `parquet:"Host"`
	Count int64     `parquet:"Count"`
	Score float64   `parquet:"Score"`
	Bad   bool      `parquet:"Bad"`
	When  time.Time `parquet:"When,timestamp(microsecond)"`
	Note  *string   `parquet:"Note,optional"`
}

func TestFormats(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	os.MkdirAll(sub, 0o700)
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("arr.json", `[{"Host":"a","N":1,"T":"2024-01-02T03:04:05Z","X":{"k":[1,2]}},{"N":2.5,"Host":"b","Extra":true}]`)
	write("lines.ndjson", "{\"Host\":\"a\",\"N\":1}\n\n{\"Host\":\"b\",\"N\":2}\r\n{\"Host\":\"c\"}\n")
	write("pretty.json", "{\n  \"Host\": \"a\"\n}\n{\n  \"Host\": \"b\"\n}\n")
	write("empty.json", "  \n")
	write("typed.csv", "i,f,b,t,s,z,e\n1,1.5,true,2024-01-02 03:04:05,x,007,\n-2,2,False,2024-01-03,y,010,\n")
	os.WriteFile(filepath.Join(sub, "deep.csv"), []byte("a\n1\n"), 0o600)
	note := "n"
	if err := parquet.WriteFile(filepath.Join(dir, "p.parquet"), []parquetRow{
		{"h1", 3, 0.5, true, time.Date(2024, 5, 6, 7, 8, 9, 1000, time.UTC), &note},
		{"h2", 4, 1.5, false, time.Date(2024, 5, 7, 0, 0, 0, 0, time.UTC), nil},
	}); err != nil {
		t.Fatal(err)
	}
	d := New([]string{dir}, nil)
	tests := []struct {
		file  string
		rows  int
		types map[string]table.Type
		check func(f *table.Frame) string
	}{
		{"arr.json", 2, map[string]table.Type{"Host": table.String, "N": table.Float, "T": table.Time, "X": table.Any, "Extra": table.Bool},
			func(f *table.Frame) string {
				if f.Names()[0] != "Host" || f.Names()[4] != "Extra" || f.Rows[0][1] != 1.0 || f.Rows[0][4] != nil {
					return "order or values wrong"
				}
				return ""
			}},
		{"lines.ndjson", 3, map[string]table.Type{"Host": table.String, "N": table.Int}, func(f *table.Frame) string {
			if f.Rows[2][1] != nil {
				return "missing key not nil"
			}
			return ""
		}},
		{"pretty.json", 2, map[string]table.Type{"Host": table.String}, nil},
		{"empty.json", 0, nil, nil},
		{"typed.csv", 2, map[string]table.Type{"i": table.Int, "f": table.Float, "b": table.Bool, "t": table.Time, "s": table.String, "z": table.String, "e": table.String},
			func(f *table.Frame) string {
				if f.Rows[1][0] != int64(-2) || f.Rows[1][2] != false || f.Rows[0][5] != "007" || f.Rows[0][6] != nil ||
					f.Rows[1][3] != time.Date(2024, 1, 3, 0, 0, 0, 0, time.UTC) {
					return "values wrong"
				}
				return ""
			}},
		{"sub/deep.csv", 1, map[string]table.Type{"a": table.Int}, nil},
		{"deep.csv", 1, nil, nil},
		{"p.parquet", 2, map[string]table.Type{"Host": table.String, "Count": table.Int, "Score": table.Float, "Bad": table.Bool, "When": table.Time, "Note": table.String},
			func(f *table.Frame) string {
				if f.Rows[0][4] != time.Date(2024, 5, 6, 7, 8, 9, 1000, time.UTC) || f.Rows[0][5] != "n" || f.Rows[1][5] != nil || f.Rows[1][1] != int64(4) {
					return "values wrong"
				}
				return ""
			}},
	}
	for _, tt := range tests {
		res, err := query(t, d, tt.file)
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		f := res.Frame
		if f.Len() != tt.rows {
			t.Errorf("%s: %d rows, want %d", tt.file, f.Len(), tt.rows)
		}
		for c, typ := range tt.types {
			if i := f.ColumnIndex(c); i < 0 || f.Columns[i].Type != typ {
				t.Errorf("%s: column %s: %+v, want %s", tt.file, c, f.Columns, typ)
			}
		}
		if tt.check != nil {
			if msg := tt.check(f); msg != "" {
				t.Errorf("%s: %s: %v", tt.file, msg, f.Rows)
			}
		}
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600)
	}
	write("broken.json", "{\"a\":1}\n{\"a\":2}\n{\"a\":\n")
	write("scalar.json", "42\n")
	write("badarr.json", "[{\"a\":1}, 3]")
	write("ragged.csv", "a,b\n1,2\n3\n")
	write("quote.csv", "a,b\n1,\"x\n")
	write("empty.csv", "")
	write("junk.parquet", "not parquet at all")
	d := New([]string{dir}, nil)
	tests := []struct{ file, want string }{
		{"broken.json", "line 3"},
		{"scalar.json", "array of objects"},
		{"badarr.json", "expected a JSON object"},
		{"ragged.csv", "line 3"},
		{"quote.csv", "line 2"},
		{"empty.csv", "empty CSV"},
		{"junk.parquet", "Parquet"},
		{"../x.csv", "inside the data paths"},
		{"/etc/passwd", "inside the data paths"},
		{"  ", "empty query"},
	}
	for _, tt := range tests {
		_, err := query(t, d, tt.file)
		if !errors.Is(err, data.ErrRejected) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want ErrRejected containing %q", tt.file, err, tt.want)
		}
		if err != nil && strings.Contains(tt.file, ".") && !strings.HasPrefix(tt.file, "/") && !strings.HasPrefix(tt.file, "..") &&
			!strings.Contains(err.Error(), tt.file) {
			t.Errorf("%s: error does not name the file: %v", tt.file, err)
		}
	}
}

func TestSettingsAndPaths(t *testing.T) {
	base := t.TempDir()
	a, b := filepath.Join(base, "a"), filepath.Join(base, "b")
	os.MkdirAll(a, 0o700)
	os.MkdirAll(b, 0o700)
	os.WriteFile(filepath.Join(a, "x.csv"), []byte("v\n1\n"), 0o600)
	os.WriteFile(filepath.Join(b, "X.csv"), []byte("v\n2\n"), 0o600)
	os.WriteFile(filepath.Join(b, "y.csv"), []byte("v\n3\n4\n5\n"), 0o600)

	paths, err := ParseSettings(map[string]string{"DataPaths": " a ; b,"}, base)
	if err != nil || len(paths) != 2 || paths[0] != a || paths[1] != b {
		t.Fatalf("paths %v %v", paths, err)
	}
	if _, err := ParseSettings(map[string]string{"data_path": "a"}, base); err == nil || !strings.Contains(err.Error(), `"data_path"`) {
		t.Errorf("unknown key: %v", err)
	}
	d := newFromRegistry(t, map[string]string{"data_paths": "a;b;missing"}, base)
	res, err := query(t, d, "x.csv") // later duplicate wins, as MSTICPy
	if err != nil || res.Frame.Rows[0][0] != int64(2) {
		t.Errorf("duplicate: %v %v", res, err)
	}
	res, err = d.Query(context.Background(), data.Query{Text: "y.csv", Limit: 2})
	if err != nil || res.Frame.Len() != 2 || !res.Truncated || !strings.Contains(res.Code, "row_limit") {
		t.Errorf("limit: %+v %v", res, err)
	}
	files, _ := d.Files()
	if len(files) != 2 {
		t.Errorf("files %v", files)
	}
	// Connect with a connection string replaces the paths.
	if err := d.Connect(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	if _, err := query(t, d, "y.csv"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after connect: %v", err)
	}
	if err := d.Connect(context.Background(), filepath.Join(base, "nope")); !errors.Is(err, data.ErrConnect) {
		t.Errorf("connect to missing folder: %v", err)
	}
	// Default path is the working directory.
	if got := New(nil, nil).CurrentConnection(); got != "." {
		t.Errorf("default %q", got)
	}
}

// TestRepeatedColumnNames: a header that repeats a name gives each column a
// name of its own, as pandas' read_csv does (ip, ip.1), so no value is lost
// when the rows are written as JSON.
func TestRepeatedColumnNames(t *testing.T) {
	tests := []struct {
		name   string
		header string
		want   []string
	}{
		{"pair", "ip,TISeverity,ip,,TIDetail", []string{"ip", "TISeverity", "ip.1", "Unnamed: 3", "TIDetail"}},
		{"three", "a,a,a", []string{"a", "a.1", "a.2"}},
		{"suffix taken", "a,a,a.1", []string{"a", "a.1", "a.1.1"}},
		{"blank twice", ",", []string{"Unnamed: 0", "Unnamed: 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := strings.Repeat("x,", len(tt.want)-1) + "x"
			f, err := ReadCSV(strings.NewReader(tt.header + "\n" + row + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Names(); strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("names %q, want %q", got, tt.want)
			}
		})
	}
}
