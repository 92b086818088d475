package httpprov

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/registry"
)

// FuzzParseDefinition: any bytes give a definition or an error naming the
// file, never a panic.
func FuzzParseDefinition(f *testing.F) {
	f.Add([]byte(acmeDef))
	f.Add([]byte(serviceNowLike))
	f.Add([]byte("kind: ti\nprovider_name: X\nbase_url: https://x\nqueries: {ipv4: {path: '/{observable|b64url|raw}'}}\n"))
	f.Add([]byte("kind: ti\nmode: list\nprovider_name: L\nbase_url: https://x\ntypes: [ipv4]\nlist: {sources: [{path: /a, format: stanzas, start: A, emit: B}]}\n"))
	f.Add([]byte("kind: ti\nprovider_name: X\nbase_url: https://x\nqueries:\n  ipv4: &a {path: /}\n  ipv6: *a\nresult: {found: 'let x = 1; x > 0'}\n"))
	f.Add([]byte("- [\n"))
	builtins, _ := filepath.Glob("../builtin/defs/*.yaml")
	contexts, _ := filepath.Glob("../../contextprov/defs/*.yaml")
	if files := append(builtins, contexts...); len(files) > 0 {
		for _, fn := range files {
			if b, err := os.ReadFile(fn); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDefinition("fuzz.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		_ = d.SupportedTypes()
		_ = d.Registration(registry.Builtin)
	})
}

// fuzzProviders are the built-in definitions plus the test ones, built
// once, answering through interpret (no network).
func fuzzProviders(t testing.TB) []*Provider {
	srcs := map[string][]byte{"acme": []byte(acmeDef), "snow": []byte(serviceNowLike)}
	files, _ := filepath.Glob("../builtin/defs/*.yaml")
	ctxFiles, _ := filepath.Glob("../../contextprov/defs/*.yaml") // ServiceNow
	files = append(files, ctxFiles...)
	for _, fn := range files {
		b, err := os.ReadFile(fn)
		if err != nil {
			t.Fatal(err)
		}
		srcs[fn] = b
	}
	var out []*Provider
	for name, b := range srcs {
		d, err := ParseDefinition(name, b)
		if err != nil {
			t.Fatal(err)
		}
		p, err := d.New(registry.FactoryArgs{Settings: map[string]string{
			"AuthKey": testKey, "ApiID": "id", "Instance": "x"}, Secrets: map[string]bool{"AuthKey": true}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// FuzzResponse: random bodies and status codes through every definition's
// rules never panic, and a non-OK status always comes with a message.
func FuzzResponse(f *testing.F) {
	seeds := []string{
		`{}`, `[]`, `null`, `"x"`, `1`, `<html>`, `{"data": null}`, `{"data": {"attributes": {"last_analysis_stats": {"malicious": "3"}}}}`,
		`{"pulse_info": {"pulses": [1, null, {"name": [1]}]}}`, `{"data": [{"confidence_level": "high"}], "query_status": "ok"}`,
		`{"response": [{"status_code": "200"}]}`, `{"scores": {"overall": {"total": []}}}`, `{"result": [{"ip_address": null}]}`,
		`{"result": [{"ip_address": "10.0.0.1, 10.0.0.10", "sys_id": "1", "sys_updated_on": "2023-01-01 00:00:0", "last_discovered": "not a date"}]}`,
		`{"result": [{"user_name": "u", "last_login": 7, "sys_created_on": null}]}`, `{"result": "x"}`,
		`{"success": false}`, `{"classification": null}`, `{"total": 1, "events": [{"port": 1, "results": [{"result": null}]}]}`,
	}
	for i, s := range seeds {
		f.Add(200+i%3, s)
	}
	f.Add(429, `{}`)
	f.Add(500, strings.Repeat("x", 5000))
	f.Add(404, `{"error": "`+testKey+`"}`)
	provs := fuzzProviders(f)
	types := []struct{ typ, sub string }{{"ipv4", ""}, {"dns", ""}, {"url", ""}, {"sha256_hash", ""}, {"ipv4", "whois"}, {"email", ""}, {"md5_hash", ""}, {"hostname", ""}, {"user", ""}}
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 100 || status > 599 {
			status = 200
		}
		for _, p := range provs {
			for _, ty := range types {
				q, ok := p.resolve(ty.typ, ty.sub)
				if !ok {
					continue
				}
				rv := &renderVars{observable: "203.0.113.1", iocType: ty.typ, subType: ty.sub, settings: p.vars}
				res := p.interpret(q.rules, status, http.Header{}, []byte(body), false, rv, "https://x.example/")
				if !res.Status.OK() && res.Message == "" && res.Status != lookup.StatusNotFound {
					t.Fatalf("%s: status %v without a message", p.def.File, res.Status)
				}
				if strings.Contains(fmt.Sprintf("%v %v %v", res.Message, res.Details, res.RawResult), testKey) {
					t.Fatalf("%s: key leaked", p.def.File)
				}
			}
		}
	})
}

// BenchmarkLookup measures the engine's per-lookup overhead against an
// httptest server that answers at once (VirusTotal's definition and a real
// recorded body).
func BenchmarkLookup(b *testing.B) {
	body := `{"data": {"type": "ip_address", "id": "203.0.113.1", "attributes": {"last_analysis_stats": {"harmless": 60, "malicious": 2, "suspicious": 0, "undetected": 10}, "reputation": -5, "tags": ["x"]}}}`
	srv := newTestServer(b, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	})
	srv.fn = func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) }
	d, err := LoadDefinition("../builtin/defs/virustotal.yaml")
	if err != nil {
		b.Fatal(err)
	}
	p, err := d.New(registry.FactoryArgs{Settings: map[string]string{"AuthKey": testKey, "BaseURL": srv.URL}})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	item := lookup.Item{Ioc: "203.0.113.1", Value: "203.0.113.1", Type: "ipv4"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := p.Lookup(ctx, item); r.Status != lookup.StatusFound {
			b.Fatal(r.Status, r.Message)
		}
	}
}

// BenchmarkInterpret is the engine's own work per answer (rules over a
// decoded body), without HTTP.
func BenchmarkInterpret(b *testing.B) {
	data, err := os.ReadFile("../builtin/defs/virustotal.yaml")
	if err != nil {
		b.Fatal(err)
	}
	d, err := ParseDefinition("vt", data)
	if err != nil {
		b.Fatal(err)
	}
	p, _ := d.New(registry.FactoryArgs{Settings: map[string]string{"AuthKey": testKey}})
	body := []byte(`{"data": {"type": "ip_address", "id": "203.0.113.1", "attributes": {"last_analysis_stats": {"harmless": 60, "malicious": 2, "suspicious": 0, "undetected": 10}, "reputation": -5, "tags": ["x"]}}}`)
	q, _ := p.resolve("ipv4", "")
	rv := &renderVars{observable: "203.0.113.1", iocType: "ipv4", settings: p.vars}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := p.interpret(q.rules, 200, http.Header{}, body, false, rv, "https://x/"); r.Status != lookup.StatusFound {
			b.Fatal(r.Status)
		}
	}
}

// BenchmarkLookupParallel is BenchmarkLookup with concurrent callers
// (throughput per lookup when the engine keeps several calls in flight).
func BenchmarkLookupParallel(b *testing.B) {
	body := `{"data": {"type": "ip_address", "id": "203.0.113.1", "attributes": {"last_analysis_stats": {"harmless": 60, "malicious": 2, "suspicious": 0, "undetected": 10}, "reputation": -5, "tags": ["x"]}}}`
	srv := newTestServer(b, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) })
	d, err := LoadDefinition("../builtin/defs/virustotal.yaml")
	if err != nil {
		b.Fatal(err)
	}
	p, err := d.New(registry.FactoryArgs{Settings: map[string]string{"AuthKey": testKey, "BaseURL": srv.URL}})
	if err != nil {
		b.Fatal(err)
	}
	item := lookup.Item{Ioc: "203.0.113.1", Value: "203.0.113.1", Type: "ipv4"}
	b.ReportAllocs()
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if r := p.Lookup(context.Background(), item); r.Status != lookup.StatusFound {
				b.Error(r.Status, r.Message)
				return
			}
		}
	})
}

// BenchmarkBuildRequest is the request side of the engine's work.
func BenchmarkBuildRequest(b *testing.B) {
	d, err := LoadDefinition("../builtin/defs/virustotal.yaml")
	if err != nil {
		b.Fatal(err)
	}
	p, _ := d.New(registry.FactoryArgs{Settings: map[string]string{"AuthKey": testKey}})
	q, _ := p.resolve("url", "")
	rv := &renderVars{observable: "http://example.org/a b?c=d", iocType: "url", settings: p.vars}
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, _, err := p.buildRequest(ctx, q, rv); err != nil {
			b.Fatal(err)
		}
	}
}
