package lookup

import (
	"context"
	"strings"
	"testing"

	"github.com/msticgo/msticgo/registry"
)

// notConfiguredErr is a factory error that knows its short reason, as
// httpprov.MissingSettingError does.
type notConfiguredErr struct{ setting string }

func (e *notConfiguredErr) Error() string {
	return "TestTI: not configured: missing required setting " + e.setting + " (Args: {...})"
}
func (e *notConfiguredErr) NotConfiguredReason() string {
	return "missing required setting " + e.setting
}

// TestBuildBadEntryIsNotConfigured: one bad entry (an unknown Provider
// type, an empty required secret, a failing factory, an instance that is
// not a provider) never stops the others: it becomes a not-configured
// provider with a clear reason, makes no call, and the good entry answers.
func TestBuildBadEntryIsNotConfigured(t *testing.T) {
	srv := newTIServer(t)
	reg := testRegistry(t)
	reg.MustRegister(registry.Registration{Kind: registry.KindTI, Name: "NeedsKey",
		Factory: func(_ context.Context, a registry.FactoryArgs) (any, error) {
			if strings.TrimSpace(a.Settings["AuthKey"]) == "" {
				return nil, &notConfiguredErr{setting: "AuthKey"}
			}
			return &testHTTPProvider{base: a.Settings["BaseURL"], client: srv.Client()}, nil
		}})
	cfg := parseConfig(t, `
TIProviders:
  Good:
    Args: {BaseURL: `+srv.URL+`}
    Primary: true
    Provider: TestTI
  EmptyKey:
    Args: {AuthKey: "", BaseURL: `+srv.URL+`}
    Primary: true
    Provider: NeedsKey
  Typo:
    Primary: true
    Provider: TestTl
  Nonsense:
    Primary: true
    Provider: NoSuchProviderType
  Broken:
    Primary: true
    Provider: TestTI
  Odd:
    Primary: true
    Provider: NotAProvider
`, nil)
	tests := []struct {
		name, reason string
	}{
		{"Good", ""},
		{"EmptyKey", "missing required setting AuthKey"},
		{"Typo", `unknown provider type "TestTl" (did you mean "TestTI"?)`},
		{"Nonsense", `unknown provider type "NoSuchProviderType" (msticgo providers list shows the known types)`},
		{"Broken", "BaseURL not set"},
		{"Odd", `ti provider "NotAProvider" does not implement lookups`},
	}
	specs, err := FromConfig(context.Background(), reg, registry.KindTI, cfg.TIProviders, nil, "", nil)
	if err != nil {
		t.Fatalf("one bad entry stopped the run: %v", err)
	}
	if len(specs) != len(tests) {
		t.Fatalf("specs %+v", specs)
	}
	specs[0].Provider.(*testHTTPProvider).client = srv.Client()
	for i, tt := range tests {
		s := specs[i]
		if s.Name != tt.name || !strings.HasPrefix(s.NotConfigured, tt.reason) || (tt.reason == "") != (s.Provider != nil) {
			t.Errorf("%s: NotConfigured %q, provider %v; want %q", tt.name, s.NotConfigured, s.Provider != nil, tt.reason)
		}
		if strings.Count(s.NotConfigured, "not configured") > 0 || strings.Contains(s.NotConfigured, s.Name+": ") {
			t.Errorf("%s: reason repeats the status or the name: %q", tt.name, s.NotConfigured)
		}
	}
	rows, sum, err := NewEngine(specs, Options{Prepare: IOCPreparer}).Rows(context.Background(), []Input{{Value: "evil.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].Result.Status != StatusFound {
		t.Errorf("the good entry did not answer: %+v", rows[0].Result)
	}
	for i, tt := range tests[1:] {
		r := rows[i+1].Result
		if r.Status != StatusNotConfigured || r.Message != "not configured: "+specs[i+1].NotConfigured {
			t.Errorf("%s row: %v %q", tt.name, r.Status, r.Message)
		}
	}
	if sum.ByStatus[StatusNotConfigured] != 5 || srv.total.Load() != 1 {
		t.Errorf("statuses %v, server calls %d (only Good may call)", sum.ByStatus, srv.total.Load())
	}
}
