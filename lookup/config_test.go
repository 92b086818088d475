package lookup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/msticgo/msticgo/config"
	"github.com/msticgo/msticgo/registry"
	"github.com/msticgo/msticgo/table"
)

func testRegistry(t *testing.T) *registry.Registry {
	t.Helper()
	reg := registry.New()
	reg.MustRegister(registry.Registration{Kind: registry.KindTI, Name: "TestTI", Aliases: []string{"tti"},
		Factory: func(_ context.Context, a registry.FactoryArgs) (any, error) {
			if a.Settings["BaseURL"] == "" {
				return nil, errors.New("BaseURL not set")
			}
			return &testHTTPProvider{base: a.Settings["BaseURL"], key: a.Settings["AuthKey"], client: nil, types: []string{"ipv4", "dns"}}, nil
		}})
	reg.MustRegister(registry.Registration{Kind: registry.KindTI, Name: "NotAProvider",
		Factory: func(context.Context, registry.FactoryArgs) (any, error) { return struct{}{}, nil }})
	return reg
}

func parseConfig(t *testing.T, yaml string, env map[string]string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(yaml), "test.yaml", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestFromConfigNotConfiguredKeyNeverShown(t *testing.T) {
	srv := newTIServer(t)
	const key = "sekrit-KEY-4242"
	cfg := parseConfig(t, fmt.Sprintf(`
TIProviders:
  GoodTI:
    Args:
      AuthKey:
        EnvironmentVar: GOOD_KEY
      BaseURL: %[1]s
    Primary: true
    Provider: TestTI
  MissingKey:
    Args:
      AuthKey:
        EnvironmentVar: UNSET_KEY
      BaseURL: %[1]s
    Primary: true
    Provider: tti
  Secondary:
    Args:
      BaseURL: %[1]s
      RateLimit: 5/s
      Timeout: 2
    Provider: TestTI
`, srv.URL), map[string]string{"GOOD_KEY": key})
	specs, err := FromConfig(context.Background(), testRegistry(t), registry.KindTI, cfg.TIProviders, nil, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 2 || specs[0].Name != "GoodTI" || specs[1].Name != "MissingKey" {
		t.Fatalf("primaries %+v", specs)
	}
	if specs[1].Provider != nil || specs[1].NotConfigured != "UNSET_KEY not set" {
		t.Fatalf("missing-key spec %+v", specs[1])
	}
	specs[0].Provider.(*testHTTPProvider).client = srv.Client()
	e := NewEngine(specs, Options{Prepare: IOCPreparer})
	f, sum, err := e.Lookup(context.Background(), []Input{{Value: "evil.example.com"}, {Value: "8.8.8.8"}})
	if err != nil {
		t.Fatal(err)
	}
	if sum.ByStatus[StatusNotConfigured] != 2 || sum.ByStatus[StatusFound] != 1 || sum.ByStatus[StatusNotFound] != 1 {
		t.Errorf("statuses %v", sum.ByStatus)
	}
	if f.Rows[1][11] != "not configured" || f.Rows[1][7] != "not configured: UNSET_KEY not set" {
		t.Errorf("not configured row %v", f.Rows[1])
	}
	if srv.total.Load() != 2 {
		t.Errorf("server calls %d, want 2 (none for the unconfigured entry)", srv.total.Load())
	}
	for _, h := range srv.headerLog {
		if h != key {
			t.Errorf("a call carried key %q: only GoodTI (with the key) may call", h)
		}
	}
	for _, format := range table.Formats {
		var b bytes.Buffer
		if err := table.Write(&b, f, format, table.Options{MaxWidth: -1}); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), key) {
			t.Errorf("%s output shows the key", format)
		}
	}
	// Secondaries only when named; names are case-insensitive.
	specs, err = FromConfig(context.Background(), testRegistry(t), registry.KindTI, cfg.TIProviders, []string{"secondary"}, "", nil)
	if err != nil || len(specs) != 1 || specs[0].Name != "Secondary" {
		t.Fatalf("named secondary: %+v %v", specs, err)
	}
	e = NewEngine(specs, Options{})
	if l, _ := e.EffectiveLimits("Secondary"); l.PerSecond != 5 || l.Timeout.Seconds() != 2 {
		t.Errorf("limits from Args: %+v", l)
	}
}

func TestFromConfigErrors(t *testing.T) {
	cfg := parseConfig(t, `
TIProviders:
  VirusTotal:
    Args:
      AuthKey: abc
    Primary: true
    Provider: NoSuchThing
  Broken:
    Provider: TestTI
  Odd:
    Provider: NotAProvider
  Skipped:
    Provider: --no-load--
  BadLimit:
    Args:
      RateLimit: fast
    Provider: TestTI
`, nil)
	reg := testRegistry(t)
	tests := []struct {
		names []string
		want  string
	}{
		// An unknown type, a failing factory or a non-provider makes that
		// entry not configured instead (TestBuildBadEntryIsNotConfigured).
		{[]string{"Skipped"}, `unknown provider "Skipped"`},
		{[]string{"Virustotl"}, `unknown provider "Virustotl" (did you mean "VirusTotal"?); loaded: VirusTotal, Broken, Odd`},
	}
	ok := cfg.TIProviders[:4]
	for _, tt := range tests {
		_, err := FromConfig(context.Background(), reg, registry.KindTI, ok, tt.names, "", nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("names %v: err %v, want %q", tt.names, err, tt.want)
		}
	}
	// A bad limit setting makes only that entry not configured (A4 of the
	// second user review; TestBadLimitIsNotConfigured).
	specs, err := FromConfig(context.Background(), reg, registry.KindTI, cfg.TIProviders, []string{"BadLimit"}, "", nil)
	if err != nil || len(specs) != 1 || !strings.Contains(specs[0].NotConfigured, `setting RateLimit: "fast" is not a rate`) {
		t.Errorf("bad limit: %+v %v", specs, err)
	}
}

func TestSelect(t *testing.T) {
	specs := []ProviderSpec{{Name: "A", Primary: true}, {Name: "B"}, {Name: "C", Primary: true}}
	tests := []struct {
		names []string
		want  string
		err   bool
	}{
		{nil, "A,C", false},
		{[]string{"b"}, "B", false},
		{[]string{"C", "a", "c"}, "C,A", false},
		{[]string{"D"}, "", true},
		{[]string{" ", ""}, "", true},
	}
	for _, tt := range tests {
		got, err := Select(specs, tt.names)
		var names []string
		for _, s := range got {
			names = append(names, s.Name)
		}
		if (err != nil) != tt.err || strings.Join(names, ",") != tt.want {
			t.Errorf("Select(%v) = %v, %v", tt.names, names, err)
		}
	}
	if _, err := Select([]ProviderSpec{{Name: "B"}}, nil); err == nil || !strings.Contains(err.Error(), "no primary provider is configured (loaded: B)") {
		t.Errorf("no primaries: %v", err)
	}
}

func TestLimitsFromArgs(t *testing.T) {
	tests := []struct {
		args map[string]string
		want Limits
		err  string
	}{
		{map[string]string{"ratelimit": "4/min", "Concurrency": "2", "DailyQuota": "500", "Timeout": "1m30s", "Burst": "3"},
			Limits{PerMinute: 4, Concurrency: 2, DailyQuota: 500, Timeout: 90e9, Burst: 3}, ""},
		{map[string]string{"RateLimit": "200", "Timeout": "45", "Retries": "0"}, Limits{PerSecond: 200, Timeout: 45e9, Retries: -1}, ""},
		{map[string]string{"RateLimit": "3600/h"}, Limits{PerMinute: 60}, ""},
		{map[string]string{"RateLimit": "10/fortnight"}, Limits{}, "RateLimit"},
		{map[string]string{"Concurrency": "-1"}, Limits{}, "Concurrency"},
		{map[string]string{"Timeout": "0"}, Limits{}, "Timeout"},
		{map[string]string{"AuthKey": "x"}, Limits{}, ""},
	}
	for _, tt := range tests {
		got, err := LimitsFromArgs(tt.args)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%v: err %v, want one naming %s", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%v: %+v, %v; want %+v", tt.args, got, err, tt.want)
		}
	}
}

func FuzzLimitsFromArgs(f *testing.F) {
	for _, s := range []string{"200/s", "4/min", "1e3/h", "0", "-1/s", "x/y", "1.5/minute"} {
		f.Add(s, "45s")
	}
	f.Fuzz(func(t *testing.T, rate, timeout string) {
		l, err := LimitsFromArgs(map[string]string{"RateLimit": rate, "Timeout": timeout})
		if err == nil && (l.PerSecond < 0 || l.PerMinute < 0 || l.Timeout < 0) {
			t.Fatalf("negative limits %+v from %q %q", l, rate, timeout)
		}
	})
}
