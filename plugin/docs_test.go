package plugin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/plugin"
	"github.com/msticgo/msticgo/registry"
)

// docBlock is one fenced code block of a Markdown file.
type docBlock struct {
	lang, text string
	line       int
}

func readDocBlocks(t *testing.T, path string) []docBlock {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []docBlock
	var cur *docBlock
	for i, l := range strings.Split(string(b), "\n") {
		switch {
		case cur == nil && strings.HasPrefix(l, "```"):
			cur = &docBlock{lang: strings.TrimPrefix(l, "```"), line: i + 1}
		case cur != nil && l == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.text += l + "\n"
		}
	}
	return out
}

// pick returns the one block of that language containing marker; the
// test fails when the docs no longer have it (or have it twice).
func pick(t *testing.T, blocks []docBlock, lang, marker string) string {
	t.Helper()
	var found []docBlock
	for _, b := range blocks {
		if b.lang == lang && strings.Contains(b.text, marker) {
			found = append(found, b)
		}
	}
	if len(found) != 1 {
		t.Fatalf("docs/plugins.md: %d %s blocks contain %q, want 1", len(found), lang, marker)
	}
	return found[0].text
}

// acmeServer is the Acme reputation API of the examples: X-Api-Key
// good-key; 20.1.2.3 scores 90, example.com 45, anything else is 404.
func acmeServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") != "good-key" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch {
		case strings.HasSuffix(r.URL.Path, "/ip/20.1.2.3"):
			fmt.Fprint(w, `{"score": 90, "tags": ["botnet"]}`)
		case strings.HasSuffix(r.URL.Path, "/domain/example.com"):
			fmt.Fprint(w, `{"score": 45, "tags": []}`)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// checkAcme runs the Acme example lookups through the provider registered
// as name: found with the right severity, not found, and a refused key
// that is never echoed.
func checkAcme(t *testing.T, ctx context.Context, reg *registry.Registry, name, base string) {
	t.Helper()
	r, err := reg.Lookup(registry.KindTI, name)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(key string) lookup.Provider {
		inst, err := r.Factory(ctx, registry.FactoryArgs{LoadedAs: name,
			Settings: map[string]string{"AuthKey": key, "BaseUrl": base, "BaseURL": base},
			Secrets:  map[string]bool{"AuthKey": true}})
		if err != nil {
			t.Fatal(err)
		}
		return inst.(lookup.Provider)
	}
	p := mk("good-key")
	cases := []struct {
		ioc, typ string
		status   lookup.Status
		sev      lookup.Severity
	}{
		{"20.1.2.3", "ipv4", lookup.StatusFound, lookup.SevHigh},
		{"example.com", "dns", lookup.StatusFound, lookup.SevWarning},
		{"9.9.9.9", "ipv4", lookup.StatusNotFound, lookup.SevInformation},
	}
	for _, c := range cases {
		res := p.Lookup(ctx, lookup.Item{Ioc: c.ioc, Type: c.typ, Value: c.ioc})
		if res.Status != c.status || (c.status == lookup.StatusFound && res.Severity != c.sev) {
			t.Errorf("%s %s: %v %v %q; want %v %v", name, c.ioc, res.Status, res.Severity, res.Message, c.status, c.sev)
		}
	}
	res := mk("bad-key").Lookup(ctx, lookup.Item{Ioc: "20.1.2.3", Type: "ipv4", Value: "20.1.2.3"})
	if res.Status.OK() || strings.Contains(res.Message, "bad-key") {
		t.Errorf("%s with a refused key: %v %q", name, res.Status, res.Message)
	}
}

func copySDK(t *testing.T, to string) {
	t.Helper()
	src, err := os.ReadFile("../sdk/python/msticgo_plugin/__init__.py")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, to, "msticgo_plugin/__init__.py", string(src))
}

func writeFile(t *testing.T, dir, name, text string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDocsExamples takes the plugin examples out of docs/plugins.md (and
// the SDK's README) as they are printed, saves them as a plugin author
// would, and runs them: a reader who copies a block gets a plugin that
// works.
func TestDocsExamples(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	blocks := readDocBlocks(t, "../docs/plugins.md")
	srv := acmeServer(t)
	_, pyErr := osexec.LookPath("python3")

	t.Run("declarative and Starlark", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "acme_intel.yaml", pick(t, blocks, "yaml", "\nprovider_name: AcmeIntel\n"))
		writeFile(t, dir, "acme_reputation.star", pick(t, blocks, "python", `PROVIDER_NAME = "AcmeReputation"`))
		writeFile(t, dir, "sql_prov.star", pick(t, blocks, "python", `DATA_ENVIRONMENTS = ["SQLTestProvider", "SQLProdProvider"]`))
		reg := registry.New()
		rep := plugin.Load(ctx, reg, []string{dir}, plugin.Options{})
		defer rep.Close()
		if err := rep.Err(); err != nil || len(rep.Loaded) != 3 {
			t.Fatalf("%v; loaded %+v", err, rep.Loaded)
		}
		checkAcme(t, ctx, reg, "AcmeIntel", srv.URL+"/api")
		checkAcme(t, ctx, reg, "AcmeReputation", srv.URL+"/api")
		r, err := reg.Lookup(registry.KindData, "SQLProdProvider")
		if err != nil {
			t.Fatal(err)
		}
		inst, err := r.Factory(ctx, registry.FactoryArgs{LoadedAs: "SQLProdProvider"})
		if err != nil {
			t.Fatal(err)
		}
		d := inst.(data.Driver)
		if err := d.Connect(ctx, ""); err != nil {
			t.Fatal(err)
		}
		res, err := d.Query(ctx, data.Query{Text: "SELECT 1"})
		if err != nil || res.Frame.Len() != 1 || res.Frame.Rows[0][1] != "SQLProdProvider" || res.Frame.Rows[0][3] != "SELECT 1" {
			t.Fatalf("Starlark driver: %v %+v", err, res)
		}
	})

	t.Run("Python TI", func(t *testing.T) {
		if pyErr != nil {
			t.Skip("python3 not installed")
		}
		dir := t.TempDir()
		pdir := filepath.Join(dir, "acme-py")
		writeFile(t, pdir, "plugin.yaml", pick(t, blocks, "yaml", "provider_name: AcmeIntelPy"))
		writeFile(t, pdir, "acme_ti.py", pick(t, blocks, "python", "class AcmeIntel(TIProvider)"))
		copySDK(t, filepath.Join(pdir, "lib"))
		reg := registry.New()
		rep := plugin.Load(ctx, reg, []string{dir}, plugin.Options{})
		defer rep.Close()
		if err := rep.Err(); err != nil || len(rep.Loaded) != 1 || rep.Loaded[0].Way != plugin.WayExecutable {
			t.Fatalf("%v; loaded %+v", err, rep.Loaded)
		}
		checkAcme(t, ctx, reg, "AcmeIntelPy", srv.URL+"/api")
	})

	t.Run("SDK README", func(t *testing.T) {
		if pyErr != nil {
			t.Skip("python3 not installed")
		}
		readme := readDocBlocks(t, "../sdk/python/README.md")
		dir := t.TempDir()
		pdir := filepath.Join(dir, "my_ti")
		writeFile(t, pdir, "plugin.yaml", pick(t, readme, "yaml", "provider_name: MyTI"))
		writeFile(t, pdir, "my_ti.py", pick(t, readme, "python", "class MyTI(TIProvider)"))
		copySDK(t, pdir) // "or copy msticgo_plugin/"
		reg := registry.New()
		rep := plugin.Load(ctx, reg, []string{dir}, plugin.Options{})
		defer rep.Close()
		if err := rep.Err(); err != nil || len(rep.Loaded) != 1 {
			t.Fatalf("%v; loaded %+v", err, rep.Loaded)
		}
		r, err := reg.Lookup(registry.KindTI, "MyTI")
		if err != nil {
			t.Fatal(err)
		}
		inst, err := r.Factory(ctx, registry.FactoryArgs{LoadedAs: "MyTI"})
		if err != nil {
			t.Fatal(err)
		}
		res := inst.(lookup.Provider).Lookup(ctx, lookup.Item{Ioc: "1.2.3.4", Type: "ipv4"})
		if res.Status != lookup.StatusFound || res.Severity != lookup.SevWarning {
			t.Errorf("MyTI: %v %v %q", res.Status, res.Severity, res.Message)
		}
	})

	t.Run("Python SQLite driver", func(t *testing.T) {
		if pyErr != nil {
			t.Skip("python3 not installed")
		}
		// The manifest finds the SDK at ../../../sdk/python, as in this
		// repository; the code block leaves out the sample table, so the
		// driver reads a database file.
		dir := t.TempDir()
		pdir := filepath.Join(dir, "examples", "plugins", "python-sqlite")
		writeFile(t, pdir, "plugin.yaml", pick(t, blocks, "yaml", "provider_name: SQLiteDriver"))
		writeFile(t, pdir, "sqlite_driver.py", pick(t, blocks, "python", "class SQLiteDriver(DataDriver)"))
		copySDK(t, filepath.Join(dir, "sdk", "python"))
		db := filepath.Join(dir, "events.db")
		mkdb := "import sqlite3, sys\ndb = sqlite3.connect(sys.argv[1])\n" +
			"db.execute('CREATE TABLE process_events (id INTEGER PRIMARY KEY, host TEXT, image TEXT)')\n" +
			"db.executemany('INSERT INTO process_events (host, image) VALUES (?, ?)', [('ws1', 'sethc.exe'), ('ws2', 'cmd.exe')])\n" +
			"db.commit()\n"
		if out, err := osexec.Command("python3", "-c", mkdb, db).CombinedOutput(); err != nil {
			t.Fatalf("making the database: %v\n%s", err, out)
		}
		reg := registry.New()
		rep := plugin.Load(ctx, reg, []string{filepath.Join(dir, "examples", "plugins")}, plugin.Options{})
		defer rep.Close()
		if err := rep.Err(); err != nil || len(rep.Loaded) != 1 {
			t.Fatalf("%v; loaded %+v", err, rep.Loaded)
		}
		r, err := reg.Lookup(registry.KindData, "SQLiteLocal")
		if err != nil {
			t.Fatal(err)
		}
		inst, err := r.Factory(ctx, registry.FactoryArgs{LoadedAs: "SQLiteLocal", Settings: map[string]string{"Database": db}})
		if err != nil {
			t.Fatal(err)
		}
		d := inst.(data.Driver)
		if err := d.Connect(ctx, ""); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			q    data.Query
			want string
		}{
			{data.Query{Text: rep.Loaded[0].TestData[0].Query}, "[[ws1 sethc.exe] [ws2 cmd.exe]]"},
			{data.Query{Text: "SELECT image FROM process_events WHERE host = $1", Args: []any{"ws2"}}, "[[cmd.exe]]"},
		}
		for _, tt := range tests {
			res, err := d.Query(ctx, tt.q)
			if err != nil {
				t.Fatalf("%s: %v", tt.q.Text, err)
			}
			if got := fmt.Sprint(res.Frame.Rows); got != tt.want {
				t.Errorf("%s: rows %s, want %s", tt.q.Text, got, tt.want)
			}
		}
	})
}
