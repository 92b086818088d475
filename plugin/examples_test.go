package plugin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	osexec "os/exec"
	"strings"
	"testing"
	"time"

	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/data/querystore"
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
	defer srv.Close()

	python := true
	if _, err := osexec.LookPath("python3"); err != nil {
		python = false
	}
	for _, name := range []string{"AcmeIntel", "AcmeReputation", "AcmeIntelPy"} {
		t.Run(name, func(t *testing.T) {
			if name == "AcmeIntelPy" && !python {
				t.Skip("python3 not installed")
			}
			r, err := reg.Lookup(registry.KindTI, name)
			if err != nil {
				t.Fatal(err)
			}
			mk := func(key string) lookup.Provider {
				inst, err := r.Factory(ctx, registry.FactoryArgs{LoadedAs: name,
					Settings: map[string]string{"AuthKey": key, "BaseUrl": srv.URL + "/api", "BaseURL": srv.URL + "/api"},
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
					t.Errorf("%s: %v %v %q", c.ioc, res.Status, res.Severity, res.Message)
				}
			}
			res := mk("bad-key").Lookup(ctx, lookup.Item{Ioc: "20.1.2.3", Type: "ipv4", Value: "20.1.2.3"})
			if res.Status.OK() || strings.Contains(res.Message, "bad-key") {
				t.Errorf("bad key: %v %q", res.Status, res.Message)
			}
		})
	}

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
