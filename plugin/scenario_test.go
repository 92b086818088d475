package plugin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	osexec "os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/msticgo/msticgo/config"
	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/data/querystore"
	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/plugin"
	"github.com/msticgo/msticgo/registry"
	"github.com/msticgo/msticgo/table"
)

// TestMSTICPyPluginScenario rebuilds MSTICPy's plugin tests
// (tests/init/test_mp_plugins.py) with msticgo plugins, twice: with
// Starlark scripts and with executable plugins (Python, msticgo_plugin
// SDK); Provider2 is a declarative HTTP provider in both.
func TestMSTICPyPluginScenario(t *testing.T) {
	for _, dir := range []string{"testdata/scenario-starlark", "testdata/scenario-exec"} {
		t.Run(dir, func(t *testing.T) {
			if strings.HasSuffix(dir, "exec") {
				if _, err := osexec.LookPath("python3"); err != nil {
					t.Skip("python3 not installed")
				}
			}
			runScenario(t, dir)
		})
	}
}

func runScenario(t *testing.T, dir string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	reg := registry.New()
	rep := plugin.Load(ctx, reg, []string{dir}, plugin.Options{})
	defer rep.Close()
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}

	// Registrations MSTICPy asserts.
	for _, c := range []struct {
		kind registry.Kind
		name string
	}{
		{registry.KindTI, "Provider1"}, {registry.KindTI, "Provider2"},
		{registry.KindContext, "ContextProviderTest"},
		{registry.KindData, "CustomDataProvA"}, {registry.KindData, "SQLTestProvider"}, {registry.KindData, "SQLProdProvider"},
	} {
		if _, err := reg.Lookup(c.kind, c.name); err != nil {
			t.Errorf("%s %s not registered: %v", c.kind, c.name, err)
		}
	}

	// Query files found in the plugin folder join the query store.
	store := querystore.Load(querystore.Sources{Plugins: rep.QueryFiles})
	for _, p := range store.Problems() {
		t.Errorf("query store: %v", p)
	}

	// QueryProvider("SQLProdProvider"): connect, a raw query, then
	// CustomSQL.accessibility_persistence.
	if _, err := data.NewQueryProvider(ctx, "CustomDataProvB", data.ProviderOptions{Registry: reg, Store: store}); err == nil {
		t.Error("CustomDataProvB must answer only to its environments")
	}
	qp, err := data.NewQueryProvider(ctx, "SQLProdProvider", data.ProviderOptions{Registry: reg, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	defer qp.Close()
	if err := qp.Connect(ctx, ""); err != nil {
		t.Fatal(err)
	}
	res, err := qp.Exec(ctx, "Get test query data", 0)
	if err != nil {
		t.Fatal(err)
	}
	checkFrame(t, res.Frame, "Get test query data")
	if got := res.Frame.Rows[0][1]; got != "SQLProdProvider" {
		t.Errorf("driver was not told the name it was loaded as: A=%v", got)
	}
	run, err := qp.Run(ctx, "CustomSQL.accessibility_persistence", nil, data.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkFrame(t, run.Result.Frame, "sethc.exe")
	// The same driver answers to SQLTestProvider, and is told so.
	qt, err := data.NewQueryProvider(ctx, "SQLTestProvider", data.ProviderOptions{Registry: reg, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	defer qt.Close()
	res, err = qt.Exec(ctx, "Get test query data", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Frame.Rows[0][1]; got != "SQLTestProvider" {
		t.Errorf("opened as SQLTestProvider, the driver was told %v", got)
	}

	// QueryProvider("CustomDataProvA").Custom.file_path(path="foo"); start
	// and end come from the defaults.
	qa, err := data.NewQueryProvider(ctx, "CustomDataProvA", data.ProviderOptions{Registry: reg, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	defer qa.Close()
	run, err = qa.Run(ctx, "Custom.file_path", map[string]any{"path": "foo"}, data.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkFrame(t, run.Result.Frame, `FolderPath contains "foo"`)

	// TI: Provider1 gives its fixed result; Provider2 asks the (test)
	// service and its Reference names the indicator path.
	var gotKey atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotKey.Store(r.Header.Get("X-OTX-API-KEY"))
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"indicator": %q, "pulse_info": {"count": 0}}`, r.URL.Path)
	}))
	defer srv.Close()
	entries := []config.ProviderEntry{
		{Section: "TIProviders", Name: "Provider1", Provider: "Provider1", Primary: true},
		{Section: "TIProviders", Name: "Provider2", Provider: "Provider2", Primary: true, Args: []config.Setting{
			{Key: "AuthKey", Value: "12345", Secret: true}, {Key: "BaseURL", Value: srv.URL}}},
	}
	specs, err := lookup.FromConfig(ctx, reg, registry.KindTI, entries, nil, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	eng := lookup.NewEngine(specs, lookup.Options{Mode: lookup.ModeTI})
	rows, _, err := eng.Rows(ctx, []lookup.Input{{Value: "20.1.2.3", Type: "ipv4"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	p1, p2 := rows[0], rows[1]
	if p1.Provider != "Provider1" || p1.Result.Status != lookup.StatusFound {
		t.Errorf("Provider1: %+v", p1)
	}
	if d, _ := p1.Result.Details.(map[string]any); d["A"] != "a" || d["C"] != "c" {
		t.Errorf("Provider1 details %v", p1.Result.Details)
	}
	if p2.Provider != "Provider2" || !p2.Result.Status.OK() || !strings.Contains(p2.Result.Reference, srv.URL+"/api/v1/indicators/IPv4") {
		t.Errorf("Provider2: status %v reference %q message %q", p2.Result.Status, p2.Result.Reference, p2.Result.Message)
	}
	if gotKey.Load() != "12345" {
		t.Errorf("AuthKey not sent: %v", gotKey.Load())
	}
	frame, _, err := eng.Lookup(ctx, []lookup.Input{{Value: "20.1.2.3", Type: "ipv4"}})
	if err != nil || frame.Len() != 2 || frame.ColumnIndex("Reference") < 0 {
		t.Fatalf("frame %v %v", err, frame)
	}
	// lookup_ioc("20.1.2.3", providers=[name]): one row from that provider.
	for _, name := range []string{"Provider1", "Provider2"} {
		sp, err := lookup.FromConfig(ctx, reg, registry.KindTI, entries, []string{name}, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		rows, _, err := lookup.NewEngine(sp, lookup.Options{Mode: lookup.ModeTI}).Rows(ctx, []lookup.Input{{Value: "20.1.2.3", Type: "ipv4"}})
		if err != nil || len(rows) != 1 || rows[0].Provider != name || !rows[0].Result.Status.OK() {
			t.Errorf("providers=[%s]: %v %+v", name, err, rows)
		}
	}
	// Provider2 requires AuthKey (MSTICPy's _REQUIRED_PARAMS): without it
	// the provider cannot be created, and the error names the setting.
	r2, err := reg.Lookup(registry.KindTI, "Provider2")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r2.Factory(ctx, registry.FactoryArgs{LoadedAs: "Provider2", Entry: "Provider2"}); err == nil || !strings.Contains(err.Error(), "AuthKey") {
		t.Errorf("Provider2 without AuthKey: %v; want an error naming AuthKey", err)
	}

	// Context provider.
	cspecs, err := lookup.FromConfig(ctx, reg, registry.KindContext, []config.ProviderEntry{
		{Section: "ContextProviders", Name: "ContextProviderTest", Provider: "ContextProviderTest", Primary: true}}, nil, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	crow, _, err := lookup.NewEngine(cspecs, lookup.Options{Mode: lookup.ModeContext}).Rows(ctx, []lookup.Input{{Value: "host1", Type: "host"}})
	if err != nil || len(crow) != 1 || crow[0].Result.Status != lookup.StatusFound {
		t.Fatalf("context lookup: %v %+v", err, crow)
	}
}

func checkFrame(t *testing.T, f *table.Frame, inC string) {
	t.Helper()
	if strings.Join(f.Names(), ",") != "ID,A,B,C" || f.Len() != 1 {
		t.Fatalf("frame %v %v, want 1 row of ID,A,B,C", f.Names(), f.Rows)
	}
	if c, _ := f.Rows[0][3].(string); !strings.Contains(c, inC) {
		t.Errorf("query text %q does not contain %q", c, inC)
	}
}
