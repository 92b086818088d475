package querystore_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/data/dataenv"
	"github.com/msticgo/msticgo/data/querystore"
	"github.com/msticgo/msticgo/data/render"
	"github.com/msticgo/msticgo/internal/testcorpus"
	"github.com/msticgo/msticgo/registry"
)

type sample struct {
	ID          string            `json:"id"`
	Environment string            `json:"environment"`
	File        string            `json:"file"`
	Query       string            `json:"query"`
	Params      map[string]any    `json:"params"`
	Kinds       map[string]string `json:"param_kinds"`
	FrozenNow   *string           `json:"frozen_now"`
	Rendered    *string           `json:"rendered"`
	Error       *struct{ Type, Message string }
}

// intentional lists every sample where msticgo deliberately differs from
// MSTICPy, with the reason, and what msticgo does instead: an error
// containing errSub, or the rendered text want.
var intentional = map[string]struct {
	reason, errSub, want string
}{
	"render-s16": {reason: "an unparseable date (\"yesterday\") is an error, never silently 'now'", errSub: "cannot read \"yesterday\""},
	"render-s18": {reason: "a one-string alias ('hash') is an alias, not a substring test that also accepts 'ash'", errSub: "unknown parameters \"ash\""},
	"render-s32": {reason: "Cybereason: integer list items are kept (MSTICPy drops them, leaving an empty filter)",
		want: `{"queryPath": [{"requestedType": "Process", "filters": [{"facetName": "applicablePid", "values": [1234, 5678], "filterType": "Equals"}, {"facetName": "ownerMachine", "values": ["WS-01"], "filterType": "Equals"}, {"facetName": "creationTime", "values": [1709251200000, 1709382600000], "filterType": "Between"}], "connectionFeature": {"elementInstanceType": "Process", "featureName": "connections"}}, {"requestedType": "Connection", "filters": [], "isResult": true}], "customFields": ["elementDisplayName", "direction", "ownerMachine", "ownerProcess", "serverPort", "serverAddress", "portType", "aggregatedReceivedBytesCount", "aggregatedTransmittedBytesCount", "remoteAddressCountryName", "dnsQuery", "accessedByMalwareEvidence", "domainName", "isExternalConnection", "remoteAddressInternalExternalLocal", "calculatedCreationTime", "endTime"]}`},
	"render-s40": {reason: "a parameter the query does not declare is an error listing the valid names (MSTICPy ignores it)", errSub: "unknown parameters \"host_name\""},
	"render-s45": {reason: "rendering never needs a connection (msticgo query render); MSTICPy refuses before connect()",
		want: " resources "},
}

func normalise(v any, kind string) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil && kind != "float" {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = normalise(it, "")
		}
		return out
	}
	return v
}

func TestMSTICPyRenderSamples(t *testing.T) {
	ref := testcorpus.Path(t, "reference", "msticpy-render-samples.jsonl")
	root := testcorpus.Path(t, "queries-msticpy")
	f, err := os.Open(ref)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		var s sample
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.UseNumber()
		if err := dec.Decode(&s); err != nil {
			t.Fatal(err)
		}
		n++
		t.Run(s.ID, func(t *testing.T) {
			now := time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
			if s.FrozenNow != nil {
				now, _ = time.Parse(time.RFC3339, *s.FrozenNow)
			}
			if _, ok := dataenv.Lookup(s.Environment); !ok {
				if s.Error == nil || !strings.Contains(s.Error.Message, "Unknown data environment") {
					t.Fatalf("environment %s unknown", s.Environment)
				}
				// msticgo: the same refusal, with a suggestion
				_, err := data.NewQueryProvider(context.Background(), s.Environment, data.ProviderOptions{Registry: registry.New()})
				if !errors.Is(err, data.ErrUnknownEnvironment) || !strings.Contains(err.Error(), "did you mean") {
					t.Fatalf("unknown environment: %v", err)
				}
				return
			}
			store := querystore.New()
			if err := store.LoadFile(filepath.Join(root, filepath.FromSlash(s.File))); err != nil {
				t.Fatal(err)
			}
			if errs := store.Errors(); len(errs) > 0 {
				t.Fatal(errs)
			}
			q, err := store.Get(s.Environment, s.Query)
			if err != nil {
				if s.Error != nil && s.Error.Type == "AttributeError" {
					return // query not loaded for this environment, as MSTICPy
				}
				t.Fatal(err)
			}
			params := map[string]any{}
			for k, v := range s.Params {
				params[k] = normalise(v, s.Kinds[k])
			}
			ds := render.DateTime{T: now.UTC().Add(-24 * time.Hour)}
			de := render.DateTime{T: now.UTC().Add(24 * time.Hour)}
			r, err := q.Prepared.Render(params, render.Options{Style: render.StyleFor(s.Environment), Now: now, DefaultStart: &ds, DefaultEnd: &de})
			if d, ok := intentional[s.ID]; ok {
				t.Logf("intentional difference: %s", d.reason)
				if d.errSub != "" {
					if err == nil || !strings.Contains(err.Error(), d.errSub) {
						t.Fatalf("want error containing %q, got %v", d.errSub, err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if r.Text != d.want {
					t.Fatalf("got\n%q\nwant\n%q", r.Text, d.want)
				}
				return
			}
			if s.Error != nil {
				if err == nil {
					t.Fatalf("want error like %s %q, rendered %q", s.Error.Type, s.Error.Message, r.Text)
				}
				if strings.Contains(s.Error.Message, "No values found") && !strings.Contains(err.Error(), "no values found for these required parameters") {
					t.Fatalf("error %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Text != *s.Rendered {
				t.Fatalf("render differs\n got: %q\nwant: %q", r.Text, *s.Rendered)
			}
		})
	}
	if n != 45 {
		t.Errorf("read %d samples, want 45", n)
	}
}
