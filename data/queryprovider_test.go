package data_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/data/querystore"
	"github.com/msticgo/msticgo/data/render"
	"github.com/msticgo/msticgo/registry"
	"github.com/msticgo/msticgo/table"
)

// utDriver is a unit-test driver (like MSTICPy's UTDataDriver): each query
// returns one row holding the query text and its arguments.
type utDriver struct {
	mu        sync.Mutex
	loadedAs  string
	connected bool
	queries   []data.Query
	failIf    string // queries containing this fail
	dialect   string
	truncate  bool
}

func (d *utDriver) Connect(ctx context.Context, connStr string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.connected = true
	return nil
}

func (d *utDriver) Query(ctx context.Context, q data.Query) (*data.Result, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.connected {
		return nil, errors.New("not connected")
	}
	d.queries = append(d.queries, q)
	if d.failIf != "" && strings.Contains(q.Text, d.failIf) {
		return nil, errors.New("back end said no")
	}
	f := table.NewStrings("query", "constant")
	f.Append(q.Text, "same")
	f.Append("dup", "same")
	return &data.Result{Frame: f, Truncated: d.truncate, Code: map[bool]string{true: "row_limit"}[d.truncate]}, nil
}

func (d *utDriver) Dialect() string { return d.dialect }

const testQueries = `metadata:
  version: 1
  description: test queries
  data_environments: [UTEnv, LogAnalytics]
  data_families: [Test, Other.Nested]
defaults:
  parameters:
    start: {description: start time, type: datetime}
    end: {description: end time, type: datetime}
sources:
  by_host:
    description: rows for a host
    args:
      query: "T | where Host == \"{host_name}\" | where t between (datetime({start}) .. datetime({end}))"
    parameters:
      host_name: {description: the host, type: str, aliases: [hostname]}
  sql_like:
    description: a SQL shaped query
    args:
      query: "SELECT * FROM t WHERE h = '{host_name}' AND ts >= '{start}'"
    parameters:
      host_name: {description: the host, type: str}
`

func newProvider(t *testing.T, drv *utDriver, env string) *data.QueryProvider {
	t.Helper()
	reg := registry.New()
	reg.MustRegister(registry.Registration{Kind: registry.KindData, Name: "UTEnv", Aliases: []string{"UTAlias"}, Source: registry.Builtin,
		Factory: func(ctx context.Context, a registry.FactoryArgs) (any, error) {
			drv.loadedAs = a.LoadedAs
			return drv, nil
		}})
	store := querystore.New()
	store.LoadBytes("test.yaml", []byte(testQueries))
	if errs := store.Errors(); len(errs) > 0 {
		t.Fatal(errs)
	}
	now := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
	p, err := data.NewQueryProvider(context.Background(), env, data.ProviderOptions{Registry: reg, Store: store, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestQueryProviderRun(t *testing.T) {
	drv := &utDriver{dialect: "kql"}
	p := newProvider(t, drv, "utalias")
	if drv.loadedAs != "utalias" {
		t.Errorf("LoadedAs = %q", drv.loadedAs)
	}
	if p.Environment() != "UTAlias" {
		t.Errorf("env %q", p.Environment())
	}
	got := strings.Join(p.List(""), " ")
	if got != "" { // file lists UTEnv, not UTAlias
		t.Errorf("UTAlias should see no queries, got %s", got)
	}
	p = newProvider(t, drv, "UTEnv")
	if got := strings.Join(p.List(""), " "); got != "Other.Nested.by_host Other.Nested.sql_like Test.by_host Test.sql_like" {
		t.Errorf("list: %s", got)
	}
	res, err := p.Run(context.Background(), "Test.by_host", map[string]any{"hostname": `evil" or 1==1`}, data.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := `T | where Host == "evil\" or 1==1" | where t between (datetime(2026-12-02T18:00:00+00:00) .. datetime(2026-12-04T18:00:00+00:00))`
	if res.Query != want || res.Rows != 2 {
		t.Errorf("got %q rows %d", res.Query, res.Rows)
	}
	if _, err := p.Run(context.Background(), "Test.by_host", map[string]any{"host": "x"}, data.RunOptions{}); err == nil || !strings.Contains(err.Error(), "host_name (aliases: hostname)") {
		t.Errorf("unknown parameter: %v", err)
	}
	if _, err := p.Run(context.Background(), "Test.by_hots", nil, data.RunOptions{}); err == nil || !strings.Contains(err.Error(), `did you mean "Test.by_host"`) {
		t.Errorf("unknown query: %v", err)
	}
	h, err := p.Help("Other.Nested.by_host")
	if err != nil || !strings.Contains(h, "host_name: str") || !strings.Contains(h, "Aliases: 'hostname'") {
		t.Errorf("help: %v %s", err, h)
	}
}

func TestQueryProviderSQLBind(t *testing.T) {
	drv := &utDriver{dialect: "sql", truncate: true}
	p := newProvider(t, drv, "UTEnv")
	res, err := p.Run(context.Background(), "Test.sql_like", map[string]any{"host_name": "' or 1=1 --", "start": "2024-01-01"}, data.RunOptions{Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	q := drv.queries[len(drv.queries)-1]
	if q.Text != "SELECT * FROM t WHERE h = $1 AND ts >= $2" || len(q.Args) != 2 || q.Args[0] != "' or 1=1 --" || q.Limit != 5 {
		t.Errorf("got %+v", q)
	}
	if !res.Result.Truncated || res.Result.Code != "row_limit" {
		t.Error("truncation must be reported")
	}
}

func TestQueryProviderSplit(t *testing.T) {
	if e := data.QueryEnvironment(nil, "LogAnalytics"); e != "MSSentinel" {
		t.Fatalf("env %s", e)
	}
	drv2 := &utDriver{dialect: "kql"}
	p := newProvider(t, drv2, "UTEnv")
	res, err := p.Run(context.Background(), "Test.by_host", map[string]any{"host_name": "h", "start": "2024-01-01T00:00:00Z", "end": "2024-01-01T05:05:00Z"}, data.RunOptions{SplitBy: "1H", MaxParallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Chunks) != 6 || len(drv2.queries) != 6 {
		t.Fatalf("chunks %d queries %d", len(res.Chunks), len(drv2.queries))
	}
	// 6 distinct query rows + the same row from every chunk (it has no
	// time at a chunk boundary, so all 6 are kept, as MSTICPy's concat)
	if res.Rows != 12 || res.Result.Partial {
		t.Errorf("rows %d partial %v", res.Rows, res.Result.Partial)
	}
	if res.Chunks[0].End != "2024-01-01T00:59:59.999999999+00:00" || res.Chunks[5].End != "2024-01-01T05:05:00+00:00" {
		t.Errorf("chunk bounds %+v", res.Chunks)
	}
	drv3 := &utDriver{dialect: "kql", failIf: "datetime(2024-01-01T02:00:00+00:00)"}
	p = newProvider(t, drv3, "UTEnv")
	res, err = p.Run(context.Background(), "Test.by_host", map[string]any{"host_name": "h", "start": "2024-01-01T00:00:00Z", "end": "2024-01-01T05:05:00Z"}, data.RunOptions{SplitBy: "1h"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed() != 1 || !res.Result.Partial || res.Chunks[2].Err == nil || res.Rows != 10 {
		t.Errorf("failed %d partial %v rows %d", res.Failed(), res.Result.Partial, res.Rows)
	}
	drv4 := &utDriver{dialect: "kql", failIf: "T"}
	p = newProvider(t, drv4, "UTEnv")
	if _, err = p.Run(context.Background(), "Test.by_host", map[string]any{"host_name": "h", "start": "-2h", "end": "now"}, data.RunOptions{SplitBy: "1h"}); err == nil || !strings.Contains(err.Error(), "all 2 chunks failed") {
		t.Errorf("all failed: %v", err)
	}
}

func TestUnknownEnvironment(t *testing.T) {
	reg := registry.New()
	reg.MustRegister(registry.Registration{Kind: registry.KindData, Name: "LocalData", Source: registry.Builtin,
		Factory: func(ctx context.Context, a registry.FactoryArgs) (any, error) { return &utDriver{}, nil }})
	_, err := data.NewQueryProvider(context.Background(), "LocalDta", data.ProviderOptions{Registry: reg})
	if !errors.Is(err, data.ErrUnknownEnvironment) || !strings.Contains(err.Error(), `did you mean "LocalData"`) || !strings.Contains(err.Error(), "drivers: LocalData") {
		t.Errorf("got %v", err)
	}
	_, err = data.NewQueryProvider(context.Background(), "Sentinel", data.ProviderOptions{Registry: reg})
	if err == nil || !strings.Contains(err.Error(), `did you mean "MSSentinel"`) {
		t.Errorf("got %v", err)
	}
	_, err = data.NewQueryProvider(context.Background(), "LogAnalytics", data.ProviderOptions{Registry: reg})
	if err == nil || !strings.Contains(err.Error(), "(MSTICPy's MSSentinel) has no driver") {
		t.Errorf("got %v", err)
	}
}

func TestSplitQueryBadInput(t *testing.T) {
	drv := &utDriver{dialect: "kql"}
	p := newProvider(t, drv, "UTEnv")
	tests := []struct {
		name, query, split string
		params             map[string]any
		want               string
	}{
		{"bad interval", "Test.by_host", "soon", map[string]any{"host_name": "h"}, "cannot read split interval"},
		{"zero interval", "Test.by_host", "0h", map[string]any{"host_name": "h"}, "must be positive"},
		{"end before start", "Test.by_host", "1h", map[string]any{"host_name": "h", "start": "2024-01-02", "end": "2024-01-01"}, "is after end"},
		{"bad param", "Test.by_host", "1h", map[string]any{"hots": "h"}, `unknown parameters "hots"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := p.Run(context.Background(), tt.query, tt.params, data.RunOptions{SplitBy: tt.split})
			var pe *render.ParamError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want a ParamError containing %q, got %v", tt.want, err)
			}
			if _, err := p.RenderSplit(tt.query, tt.params, tt.split); !errors.As(err, &pe) {
				t.Fatalf("RenderSplit: want a ParamError, got %v", err)
			}
		})
	}
	if len(drv.queries) != 0 {
		t.Errorf("bad input reached the driver: %d queries", len(drv.queries))
	}
}

func TestRenderSplitMatchesRun(t *testing.T) {
	drv := &utDriver{dialect: "sql"}
	p := newProvider(t, drv, "UTEnv")
	params := map[string]any{"host_name": "' or 1=1 --", "start": "2024-01-01T00:00:00Z", "end": "2024-01-01T02:30:00Z"}
	chunks, err := p.RenderSplit("Test.sql_like", params, "1h")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Run(context.Background(), "Test.sql_like", params, data.RunOptions{SplitBy: "1h", MaxParallel: 1}); err != nil {
		t.Fatal(err)
	}
	if len(chunks) != 3 || len(drv.queries) != 3 {
		t.Fatalf("chunks %d, queries sent %d", len(chunks), len(drv.queries))
	}
	for i, c := range chunks {
		q := drv.queries[i]
		if c.Rendered.Text != q.Text || fmt.Sprint(c.Rendered.Args) != fmt.Sprint(q.Args) {
			t.Errorf("chunk %d: rendered %q %v, sent %q %v", i, c.Rendered.Text, c.Rendered.Args, q.Text, q.Args)
		}
		if q.Args[0] != "' or 1=1 --" || q.Args[1] != c.Range.Start.ISO() {
			t.Errorf("chunk %d args %v", i, q.Args)
		}
	}
}

func TestMergeChunks(t *testing.T) {
	b := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC) // where chunk 2 starts
	row := func(f *table.Frame, vals ...any) { f.Rows = append(f.Rows, vals) }
	cols := []table.Column{{Name: "Host", Type: table.String}, {Name: "Port", Type: table.Int}, {Name: "At", Type: table.Time}}
	tests := []struct {
		name        string
		starts      []time.Time
		a, b        [][]any
		want        int
		wantDropped int
	}{
		{"equal rows with no time at the boundary are all kept",
			[]time.Time{{}, b},
			[][]any{{"WS1", int64(53), b.Add(-time.Hour)}, {"WS1", int64(53), b.Add(-time.Hour)}},
			[][]any{{"WS1", int64(53), b.Add(-time.Hour)}},
			3, 0},
		{"a boundary row returned by both chunks is kept once",
			[]time.Time{{}, b},
			[][]any{{"WS1", int64(53), b}, {"WS2", int64(80), b.Add(-time.Hour)}},
			[][]any{{"WS1", int64(53), b}, {"WS3", int64(80), b.Add(time.Hour)}},
			3, 1},
		{"a back end's microsecond rounding still counts as the boundary",
			[]time.Time{{}, b},
			[][]any{{"WS1", int64(53), b.Add(-time.Microsecond)}},
			[][]any{{"WS1", int64(53), b.Add(-time.Microsecond)}},
			1, 1},
		{"no starts (MergeFrames): everything kept",
			nil,
			[][]any{{"WS1", int64(53), b}},
			[][]any{{"WS1", int64(53), b}},
			2, 0},
		{"chunks not neighbours (one failed between): everything kept",
			[]time.Time{{}, {}},
			[][]any{{"WS1", int64(53), b}},
			[][]any{{"WS1", int64(53), b}},
			2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fa, fb := &table.Frame{Columns: cols}, &table.Frame{Columns: cols}
			for _, r := range tt.a {
				row(fa, r...)
			}
			for _, r := range tt.b {
				row(fb, r...)
			}
			m, dropped := data.MergeChunks([]*table.Frame{fa, fb}, tt.starts)
			if m.Len() != tt.want || dropped != tt.wantDropped {
				t.Errorf("rows %d dropped %d, want %d and %d", m.Len(), dropped, tt.want, tt.wantDropped)
			}
		})
	}
}

func TestMergeFramesColumnsByName(t *testing.T) {
	a := table.NewStrings("x", "y")
	a.Append("1", "a")
	a.Append("1", "a")
	a.Append("2", "b")
	b := table.NewStrings("y", "x")
	b.Append("b", "2") // equal to a row of the frame before: kept (no boundary time)
	b.Append("c", "3")
	m := data.MergeFrames([]*table.Frame{a, b})
	var got []string
	for _, r := range m.Rows {
		got = append(got, fmt.Sprint(r...))
	}
	if strings.Join(got, " ") != "1a 1a 2b 2b 3c" {
		t.Errorf("rows %v", got)
	}
}

func TestQueryEnvironment(t *testing.T) {
	plain := &registry.Registration{Kind: registry.KindData, Name: "EnvA", Aliases: []string{"EnvB"}}
	eff := &registry.Registration{Kind: registry.KindData, Name: "PostgreSQL", Aliases: []string{"Postgres"}, Meta: map[string]any{"effective_environment": "PostgreSQL"}}
	tests := []struct {
		reg        *registry.Registration
		name, want string
	}{
		{nil, "LogAnalytics", "MSSentinel"},
		{plain, "envb", "EnvB"}, // each declared environment keeps its own queries
		{plain, "EnvA", "EnvA"},
		{eff, "postgres", "PostgreSQL"},
		{eff, "PostgreSQL", "PostgreSQL"},
	}
	for _, tt := range tests {
		if got := data.QueryEnvironment(tt.reg, tt.name); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}

// TestErrorsNameTheEntry: a provider loaded for a config entry with its
// own name (DataProviders.UT-Prod, Provider: UTEnv) names that entry in its
// errors, so two entries of one driver can be told apart.
func TestErrorsNameTheEntry(t *testing.T) {
	tests := []struct{ entry, want string }{
		{"", "data environment UTEnv: back end said no"},
		{"UTEnv", "data environment UTEnv: back end said no"},
		{"UT-Prod", "data environment UT-Prod (UTEnv): back end said no"},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			reg := registry.New()
			drv := &utDriver{failIf: "FAIL"}
			reg.MustRegister(registry.Registration{Kind: registry.KindData, Name: "UTEnv", Source: registry.Builtin,
				Factory: func(context.Context, registry.FactoryArgs) (any, error) { return drv, nil }})
			p, err := data.NewQueryProvider(context.Background(), "UTEnv", data.ProviderOptions{Registry: reg, Entry: tt.entry})
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Exec(context.Background(), "FAIL", 0)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}
