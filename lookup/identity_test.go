package lookup

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/msticgo/msticgo/registry"
)

// endpointProvider answers from its "service": found when its BaseURL is
// the test server, not found from the real one. It counts its calls.
type endpointProvider struct {
	base  string
	calls *atomic.Int64
	local bool
}

func (p *endpointProvider) Lookup(_ context.Context, it Item) Result {
	p.calls.Add(1)
	if strings.Contains(p.base, "127.0.0.1") {
		return Result{Status: StatusFound, Found: true, Severity: SevHigh, Details: "from " + p.base}
	}
	return Result{Status: StatusNotFound, Details: "from " + p.base}
}

type localProvider struct{ endpointProvider }

func (p *localProvider) NoCache() bool { return true }

func endpointRegistry(calls *atomic.Int64) *registry.Registry {
	reg := registry.New()
	reg.MustRegister(registry.Registration{Kind: registry.KindTI, Name: "EchoTI",
		Factory: func(_ context.Context, a registry.FactoryArgs) (any, error) {
			return &endpointProvider{base: a.Settings["BaseURL"], calls: calls}, nil
		}})
	reg.MustRegister(registry.Registration{Kind: registry.KindTI, Name: "LocalTI",
		Factory: func(_ context.Context, a registry.FactoryArgs) (any, error) {
			return &localProvider{endpointProvider{base: a.Settings["BaseURL"], calls: calls}}, nil
		}})
	return reg
}

func specsFrom(t *testing.T, reg *registry.Registry, yaml string, env map[string]string) []ProviderSpec {
	t.Helper()
	cfg := parseConfig(t, yaml, env)
	specs, err := FromConfig(context.Background(), reg, registry.KindTI, cfg.TIProviders, nil, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return specs
}

const testServerConfig = `
TIProviders:
  VirusTotal:
    Args:
      AuthKey:
        EnvironmentVar: VTK
      BaseURL: http://127.0.0.1:18931/vt
      DailyQuota: 1
    Primary: true
    Provider: EchoTI
`

const realServiceConfig = `
TIProviders:
  VirusTotal:
    Args:
      AuthKey:
        EnvironmentVar: VTK
      DailyQuota: 1
    Primary: true
    Provider: EchoTI
`

// TestCacheIdentityFollowsConfig: an entry of the same name under another
// config (another BaseURL) never gets the first config's cached answers
// (A1 of the second user review: a test server's "malicious" was served
// as real VirusTotal's answer for 24 h).
func TestCacheIdentityFollowsConfig(t *testing.T) {
	dir := t.TempDir()
	var calls atomic.Int64
	reg := endpointRegistry(&calls)
	run := func(specs []ProviderSpec) Row {
		e := NewEngine(specs, Options{Prepare: simplePrepare, Cache: NewCache(dir, time.Hour, nil)})
		rows, _, _ := e.Rows(context.Background(), inputs("evil.example"))
		return rows[0]
	}
	env := map[string]string{"VTK": "FAKE-VT-KEY-7781"}
	if r := run(specsFrom(t, reg, testServerConfig, env)); r.Result.Status != StatusFound || r.Cached {
		t.Fatalf("test server row %+v", r)
	}
	r := run(specsFrom(t, reg, realServiceConfig, map[string]string{"VTK": "another-key"}))
	if r.Cached || r.Result.Status != StatusNotFound {
		t.Errorf("real service answered from the test server's cache: %+v", r)
	}
	// the same config again: from the cache
	if r := run(specsFrom(t, reg, testServerConfig, env)); !r.Cached || r.Result.Status != StatusFound {
		t.Errorf("same config not cached: %+v", r)
	}
	if calls.Load() != 2 {
		t.Errorf("calls %d, want 2", calls.Load())
	}
	// no file shows a secret, and version 1 files are not read
	entries, _ := os.ReadDir(dir)
	for _, de := range entries {
		b, _ := os.ReadFile(filepath.Join(dir, de.Name()))
		if strings.Contains(de.Name()+string(b), "FAKE-VT-KEY") || strings.Contains(de.Name()+string(b), "another-key") {
			t.Errorf("%s shows a key", de.Name())
		}
	}
}

func TestEntryIdentities(t *testing.T) {
	id := func(typ string, vals map[string]string, secret ...string) (string, string) {
		s := map[string]bool{}
		for _, k := range secret {
			s[k] = true
		}
		return entryIdentities("VT", typ, vals, s)
	}
	c1, q1 := id("VirusTotal", map[string]string{"AuthKey": "k1"}, "AuthKey")
	c2, q2 := id("VirusTotal", map[string]string{"AuthKey": "k1", "Timeout": "5", "RateLimit": "1/s", "DailyQuota": "9"}, "AuthKey")
	if c1 != c2 || q1 != q2 {
		t.Errorf("limits changed the identity: %s %s / %s %s", c1, q1, c2, q2)
	}
	c3, q3 := id("VirusTotal", map[string]string{"AuthKey": "k2"}, "AuthKey")
	if c3 == c1 || q3 == q1 {
		t.Errorf("another key shares the identity")
	}
	c4, q4 := id("VirusTotal", map[string]string{"AuthKey": "k1", "BaseURL": "http://127.0.0.1/vt"}, "AuthKey")
	if c4 == c1 || q4 == q1 {
		t.Errorf("another BaseURL shares the identity")
	}
	_, q5 := id("VirusTotal", map[string]string{"AuthKey": "k1", "BaseURL": "http://127.0.0.1/vt/"}, "AuthKey")
	if q5 != q4 {
		t.Errorf("a trailing slash changed the service")
	}
	c6, q6 := id("OTX", map[string]string{"AuthKey": "k1"}, "AuthKey")
	if c6 == c1 || q6 == q1 {
		t.Errorf("another type shares the identity")
	}
	c7, q7 := id("Feeds", map[string]string{"Files": "a.txt"})
	c8, q8 := id("Feeds", map[string]string{"Files": "b.txt"})
	if c7 == c8 {
		t.Errorf("another feed list shares the cache")
	}
	if q7 != q8 {
		t.Errorf("a non-endpoint, non-secret setting changed the quota identity")
	}
	for _, s := range []string{c1, q1, c3, q3} {
		if strings.Contains(s, "k1") || strings.Contains(s, "k2") {
			t.Errorf("identity %q shows the key", s)
		}
	}
	if !strings.HasPrefix(c1, "VT-") || !strings.HasPrefix(q1, "VirusTotal-") {
		t.Errorf("identities %q %q", c1, q1)
	}
}

// TestQuotaPerService: calls to a test server (another BaseURL) never
// spend the real service's daily quota; two entries calling one service
// with one key share one count.
func TestQuotaPerService(t *testing.T) {
	dir := t.TempDir()
	var calls atomic.Int64
	reg := endpointRegistry(&calls)
	run := func(specs []ProviderSpec, in ...string) []Row {
		e := NewEngine(specs, Options{Prepare: simplePrepare, QuotaDir: dir})
		rows, _, _ := e.Rows(context.Background(), inputs(in...))
		return rows
	}
	env := map[string]string{"VTK": "FAKE-VT-KEY-7781"}
	if r := run(specsFrom(t, reg, testServerConfig, env), "a.example"); r[0].Result.Status != StatusFound {
		t.Fatalf("test server %+v", r[0].Result)
	}
	if r := run(specsFrom(t, reg, realServiceConfig, env), "b.example"); r[0].Result.Status != StatusNotFound {
		t.Errorf("the test server spent the real quota: %+v", r[0].Result)
	}
	// the real service's quota of 1 is spent now, whatever the entry is called
	renamed := strings.Replace(realServiceConfig, "  VirusTotal:", "  VT2:", 1)
	if r := run(specsFrom(t, reg, renamed, env), "c.example"); r[0].Result.Status != StatusRateLimited {
		t.Errorf("same service and key, other entry name: %+v", r[0].Result)
	}
	// two entries for one service in one engine share the count
	both := realServiceConfig + strings.Replace(strings.Replace(realServiceConfig, "TIProviders:\n", "", 1), "  VirusTotal:", "  VT2:", 1)
	rows := run(specsFrom(t, reg, both, map[string]string{"VTK": "third-key"}), "d.example")
	if len(rows) != 2 || rows[0].Result.Status == rows[1].Result.Status ||
		(rows[0].Result.Status != StatusRateLimited && rows[1].Result.Status != StatusRateLimited) {
		t.Errorf("shared count: want one answer and one rate limited: %+v", rows)
	}
	entries, _ := os.ReadDir(dir)
	for _, de := range entries {
		if strings.Contains(de.Name(), "FAKE") || strings.Contains(de.Name(), "third") {
			t.Errorf("quota file %s shows a key", de.Name())
		}
	}
}

// TestNoCacherNeverCached: a provider answering from local data is never
// cached, in memory or on disk (A1: an edited feed file was invisible for
// 24 h behind a cached "not found").
func TestNoCacherNeverCached(t *testing.T) {
	dir := t.TempDir()
	var calls atomic.Int64
	reg := endpointRegistry(&calls)
	specs := specsFrom(t, reg, "TIProviders:\n  Feeds:\n    Primary: true\n    Provider: LocalTI\n", nil)
	c := NewCache(dir, time.Hour, nil)
	e := NewEngine(specs, Options{Prepare: simplePrepare, Cache: c})
	for range 2 {
		rows, sum, _ := e.Rows(context.Background(), inputs("x.example"))
		if rows[0].Cached || sum.CacheHits != 0 {
			t.Errorf("local answer from the cache: %+v", rows[0])
		}
	}
	if calls.Load() != 2 {
		t.Errorf("calls %d, want 2", calls.Load())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("cache files written: %v", entries)
	}
}

// TestBadLimitIsNotConfigured: a bad limit setting makes only that entry
// not configured, naming the key; the other entries answer (A4).
func TestBadLimitIsNotConfigured(t *testing.T) {
	var calls atomic.Int64
	reg := endpointRegistry(&calls)
	cfg := parseConfig(t, `
TIProviders:
  Slow:
    Args:
      Timeout: soon
    Primary: true
    Provider: EchoTI
  Greedy:
    Args:
      RateLimit: lots
    Primary: true
    Provider: EchoTI
  Good:
    Args:
      BaseURL: http://127.0.0.1:1/
    Primary: true
    Provider: EchoTI
`, nil)
	specs, err := EntrySpecs(cfg.TIProviders)
	if err != nil {
		t.Fatal(err)
	}
	specs, err = Build(context.Background(), reg, registry.KindTI, specs, cfg.TIProviders, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	rows, _, _ := NewEngine(specs, Options{Prepare: simplePrepare}).Rows(context.Background(), inputs("x.example"))
	want := map[string]string{
		"Slow":   `not configured: setting Timeout: "soon" is not a positive number`,
		"Greedy": `not configured: setting RateLimit: "lots"`,
	}
	for _, r := range rows {
		if w, ok := want[r.Provider]; ok {
			if r.Result.Status != StatusNotConfigured || !strings.HasPrefix(r.Result.Message, w) {
				t.Errorf("%s: %v %q", r.Provider, r.Result.Status, r.Result.Message)
			}
		} else if r.Result.Status != StatusFound {
			t.Errorf("%s: %+v", r.Provider, r.Result)
		}
	}
	if len(rows) != 3 {
		t.Errorf("rows %d", len(rows))
	}
}
