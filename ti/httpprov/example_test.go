package httpprov_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/registry"
	"github.com/msticgo/msticgo/ti/httpprov"
)

// A provider defined in YAML, registered and asked about one indicator.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"verdict": "malicious", "score": 91, "tags": ["c2"]}`)
	}))
	defer srv.Close()

	def, err := httpprov.ParseDefinition("acme.yaml", []byte(`
kind: ti
provider_name: AcmeIntel
base_url: https://intel.acme.example/api
settings:
  - {name: AuthKey, required: true, secret: true}
headers: {X-Api-Key: "{AuthKey}"}
queries:
  ipv4: {path: "/ip/{observable}"}
result:
  expect: 'type(response) == "map"'
  found: 'response.verdict != nil'
  severity: 'severity_of(response.score, 40, 80)'
  details: '{"score": response.score, "tags": response.tags}'
  reference: '"https://intel.acme.example/ui/ip/" + observable'
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	reg := registry.New()
	if err := reg.Register(def.Registration(registry.PluginSource("acme.yaml"))); err != nil {
		fmt.Println(err)
		return
	}
	r, _ := reg.Lookup(registry.KindTI, "AcmeIntel")
	inst, err := r.Factory(context.Background(), registry.FactoryArgs{
		Entry:    "Acme",
		Settings: map[string]string{"AuthKey": "not-shown", "BaseURL": srv.URL},
		Secrets:  map[string]bool{"AuthKey": true},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	res := inst.(lookup.Provider).Lookup(context.Background(), lookup.Item{Ioc: "203.0.113.7", Type: "ipv4", Value: "203.0.113.7"})
	fmt.Println(res.Status, res.Severity, res.Details, res.Reference)
	// Output: found high map[score:91 tags:[c2]] https://intel.acme.example/ui/ip/203.0.113.7
}
