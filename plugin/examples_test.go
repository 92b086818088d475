package plugin_test

import (
	"context"
	"errors"
	osexec "os/exec"
	"strings"
	"testing"
	"time"

	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/data/querystore"
	"github.com/msticgo/msticgo/ioc"
	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/plugin"
	"github.com/msticgo/msticgo/registry"
)

// TestExamples loads examples/plugins and runs every example against a
// local test API (docs/plugins.md shows these files).
func TestExamples(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	reg := registry.New()
	rep := plugin.Load(ctx, reg, []string{"../examples/plugins"}, plugin.Options{})
	defer rep.Close()
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rep.Loaded) != 4 || len(rep.QueryFiles) != 1 {
		t.Fatalf("loaded %+v, query files %v", rep.Loaded, rep.QueryFiles)
	}
	srv := acmeServer(t)
	python := true
	if _, err := osexec.LookPath("python3"); err != nil {
		python = false
	}
	for _, name := range []string{"AcmeIntel", "AcmeReputation", "AcmeIntelPy"} {
		t.Run(name, func(t *testing.T) {
			if name == "AcmeIntelPy" && !python {
				t.Skip("python3 not installed")
			}
			checkAcme(t, ctx, reg, name, srv.URL+"/api")
		})
	}

	// Every example's test data is an indicator msticgo would hand to the
	// plugin (a name like host.internal never reaches one), and AcmeReputation's
	// own-domain answer needs no call (but, like every lookup, its key).
	t.Run("TestData", func(t *testing.T) {
		ran := 0
		for _, l := range rep.Loaded {
			if l.Kind != registry.KindTI {
				continue
			}
			for _, tc := range l.TestData {
				typ, err := ioc.ParseType(tc.IocType)
				if err != nil {
					t.Fatalf("%s: %v", l.Name, err)
				}
				if o := ioc.Preprocess(tc.Ioc, typ); o.Check != ioc.Ok {
					t.Errorf("%s test data %s (%s) never reaches a plugin: %s", l.Name, tc.Ioc, tc.IocType, o.Status())
				}
				if l.Name != "AcmeReputation" {
					continue
				}
				r, err := reg.Lookup(registry.KindTI, l.Name)
				if err != nil {
					t.Fatal(err)
				}
				// no AuthKey: not configured (SETTINGS declares it required)
				_, err = r.Factory(ctx, registry.FactoryArgs{LoadedAs: l.Name})
				var nc interface{ NotConfiguredReason() string }
				if !errors.As(err, &nc) || nc.NotConfiguredReason() != "missing required setting AuthKey" {
					t.Errorf("%s with no settings: %v; want not configured", l.Name, err)
				}
				// with a key, the own domain is answered with no call (the
				// base URL cannot be reached)
				inst, err := r.Factory(ctx, registry.FactoryArgs{LoadedAs: l.Name,
					Settings: map[string]string{"AuthKey": "k", "BaseUrl": "http://127.0.0.1:1/api"}})
				if err != nil {
					t.Fatal(err)
				}
				res := inst.(lookup.Provider).Lookup(ctx, lookup.Item{Ioc: tc.Ioc, Type: tc.IocType, Value: tc.Ioc})
				if res.Status != lookup.StatusNotFound || !strings.EqualFold(strings.ReplaceAll(tc.Expect, "_", " "), res.Status.String()) {
					t.Errorf("%s %s: %v %q; want %s", l.Name, tc.Ioc, res.Status, res.Message, tc.Expect)
				}
				ran++
			}
		}
		if ran == 0 {
			t.Error("AcmeReputation declares no TEST_DATA for its own domains")
		}
	})

	t.Run("SQLiteDriver", func(t *testing.T) {
		if !python {
			t.Skip("python3 not installed")
		}
		store := querystore.Load(querystore.Sources{Plugins: rep.QueryFiles})
		qp, err := data.NewQueryProvider(ctx, "SQLite", data.ProviderOptions{Registry: reg, Store: store})
		if err != nil {
			t.Fatal(err)
		}
		defer qp.Close()
		run, err := qp.Run(ctx, "Process.accessibility_tools", nil, data.RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		f := run.Result.Frame
		if f.Len() != 1 || strings.Join(f.Names(), ",") != "ts,host,image" || !strings.HasSuffix(f.Rows[0][2].(string), "sethc.exe") {
			t.Fatalf("frame %v %v", f.Names(), f.Rows)
		}
		run, err = qp.Run(ctx, "Process.by_image", map[string]any{"image": "cmd.exe"}, data.RunOptions{})
		if err != nil || run.Result.Frame.Len() != 1 {
			t.Fatalf("by_image: %v %+v", err, run)
		}
		res, err := qp.Exec(ctx, "SELECT count(*) AS n FROM process_events", 0)
		if err != nil || res.Frame.Rows[0][0] != int64(3) {
			t.Fatalf("exec: %v %+v", err, res)
		}
	})
}
