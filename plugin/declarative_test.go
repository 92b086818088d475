package plugin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/msticgo/msticgo/config"
	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/plugin"
	"github.com/msticgo/msticgo/registry"
)

// TestDeclarativeContextPlugin: a declarative file with kind: context in a
// plugin folder is a context provider, used by context lookups (private
// addresses are sent) with its config entry's settings.
func TestDeclarativeContextPlugin(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Token") != "tok-1" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Path != "/hosts/10.0.0.5" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		fmt.Fprint(w, `{"hostname": "ws-elm", "owner": "it"}`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	def := `kind: context
provider_name: TinyCMDB
aliases: [CMDB]
base_url: https://cmdb.invalid
settings: [{name: Token, required: true, secret: true}]
headers: {X-Token: "{Token}"}
queries:
  ipv4: {path: "/hosts/{observable}"}
result:
  found: 'status == 200'
  details: 'response'
`
	if err := os.WriteFile(filepath.Join(dir, "cmdb.yaml"), []byte(def), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	reg := registry.New()
	rep := plugin.Load(ctx, reg, []string{dir}, plugin.Options{})
	defer rep.Close()
	if err := rep.Err(); err != nil || len(rep.Loaded) != 1 || rep.Loaded[0].Kind != registry.KindContext || rep.Loaded[0].Way != plugin.WayDeclarative {
		t.Fatalf("%v %+v", err, rep.Loaded)
	}
	if _, err := reg.Lookup(registry.KindTI, "TinyCMDB"); err == nil {
		t.Error("a context provider registered as TI")
	}
	specs, err := lookup.FromConfig(ctx, reg, registry.KindContext, []config.ProviderEntry{{
		Section: "ContextProviders", Name: "Assets", Provider: "cmdb", Primary: true,
		Args: []config.Setting{{Key: "Token", Value: "tok-1", Secret: true}, {Key: "BaseURL", Value: srv.URL}},
	}}, nil, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	eng := lookup.NewEngine(specs, lookup.Options{Mode: lookup.ModeContext, Prepare: lookup.IOCPreparer})
	defer eng.Close()
	rows, _, err := eng.Rows(ctx, []lookup.Input{{Value: "10.0.0.5"}, {Value: "10.0.0.6"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Provider != "Assets" || rows[0].Result.Status != lookup.StatusFound || rows[1].Result.Status != lookup.StatusNotFound {
		t.Fatalf("rows %+v", rows)
	}
	if d, _ := rows[0].Result.Details.(map[string]any); d["hostname"] != "ws-elm" {
		t.Errorf("details %v", rows[0].Result.Details)
	}
}
