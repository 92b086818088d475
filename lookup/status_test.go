package lookup

import (
	"context"
	"testing"
	"time"
)

// TestSeverityOrderAndNames: MSTICPy's order (unknown < information <
// warning < high), numeric values and names, and the names ParseSeverity
// reads.
func TestSeverityOrderAndNames(t *testing.T) {
	order := []struct {
		sev  Severity
		name string
		num  int
	}{
		{SevUnknown, "unknown", -1}, {SevInformation, "information", 0}, {SevWarning, "warning", 1}, {SevHigh, "high", 2},
	}
	for i, o := range order {
		if o.sev.String() != o.name || int(o.sev) != o.num {
			t.Errorf("%d: %q = %d, want %q = %d", i, o.sev.String(), int(o.sev), o.name, o.num)
		}
		if i > 0 && !(order[i-1].sev < o.sev) {
			t.Errorf("%s is not below %s", order[i-1].name, o.name)
		}
		if got := ParseSeverity(o.name); got != o.sev {
			t.Errorf("ParseSeverity(%q) = %v", o.name, got)
		}
	}
	for in, want := range map[string]Severity{
		"HIGH": SevHigh, " Warning ": SevWarning, "info": SevInformation, "medium": SevWarning, "critical": SevHigh,
		"1": SevUnknown, "": SevUnknown, "severe": SevUnknown,
	} {
		if got := ParseSeverity(in); got != want {
			t.Errorf("ParseSeverity(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestStatusNamesAndCodes: every status has its readable name beside
// MSTICPy's numeric status, and only found / not found are answers worth
// caching.
func TestStatusNamesAndCodes(t *testing.T) {
	tests := []struct {
		st   Status
		name string
		code int
		ok   bool
	}{
		{StatusFound, "found", 0, true},
		{StatusNotFound, "not found", 0, true},
		{StatusUnsupported, "unsupported type", 1, false},
		{StatusInvalid, "invalid input", 2, false},
		{StatusNotRoutable, "not routable", 2, false},
		{StatusTimeout, "timeout", 3, false},
		{StatusRateLimited, "rate limited", 3, false},
		{StatusProviderError, "provider error", 3, false},
		{StatusUnexpected, "unexpected response", 3, false},
		{StatusNotConfigured, "not configured", 10, false},
	}
	if len(tests) != len(statusNames) {
		t.Fatalf("%d statuses tested, %d defined", len(tests), len(statusNames))
	}
	for _, tt := range tests {
		if tt.st.String() != tt.name || tt.st.Code() != tt.code || tt.st.OK() != tt.ok {
			t.Errorf("%d: %q code %d ok %v; want %q %d %v", int(tt.st), tt.st, tt.st.Code(), tt.st.OK(), tt.name, tt.code, tt.ok)
		}
	}
	if Status(99).String() != "unknown status" {
		t.Errorf("out of range: %q", Status(99).String())
	}
}

type declares struct {
	countingProvider
	l Limits
}

func (d *declares) Limits() Limits { return d.l }

// TestEffectiveLimits: a provider that declares nothing still gets a finite
// timeout, a concurrency limit and a retry budget; declared limits hold
// unless the entry overrides them; Retries -1 (config "Retries: 0") means
// no retry.
func TestEffectiveLimits(t *testing.T) {
	tests := []struct {
		name     string
		declared Limits
		entry    Limits
		want     Limits
	}{
		{"defaults", Limits{}, Limits{},
			Limits{Concurrency: DefaultConcurrency, Timeout: DefaultTimeout, Retries: DefaultRetries}},
		{"declared", Limits{PerSecond: 4, Burst: 2, Concurrency: 2, DailyQuota: 500, Timeout: 10 * time.Second, Retries: 1},
			Limits{}, Limits{PerSecond: 4, Burst: 2, Concurrency: 2, DailyQuota: 500, Timeout: 10 * time.Second, Retries: 1}},
		{"overridden", Limits{PerSecond: 4, Concurrency: 2, Timeout: 10 * time.Second},
			Limits{PerMinute: 30, Concurrency: 8, Timeout: time.Minute, Retries: -1, DailyQuota: 100},
			Limits{PerMinute: 30, Concurrency: 8, Timeout: time.Minute, Retries: 0, DailyQuota: 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEngine([]ProviderSpec{{Name: "P", Provider: &declares{l: tt.declared}, Limits: tt.entry}}, Options{})
			got, ok := e.EffectiveLimits("p")
			if !ok || got != tt.want {
				t.Errorf("limits %+v, want %+v", got, tt.want)
			}
			if got.Timeout <= 0 || got.Timeout > time.Hour {
				t.Errorf("timeout %v is not finite", got.Timeout)
			}
		})
	}
	if _, ok := NewEngine(nil, Options{}).EffectiveLimits("P"); ok {
		t.Error("limits of an entry that is not there")
	}
}

// TestCacheMemoryOnly: with a cache that has no folder, a second call on
// the same engine answers found and not-found items from memory (no call,
// Cached set), keyed per provider entry, type and normalised value; errors
// are asked again; nothing is written anywhere.
func TestCacheMemoryOnly(t *testing.T) {
	a, b := &countingProvider{}, &countingProvider{}
	c := NewCache("", time.Hour, nil)
	e := NewEngine([]ProviderSpec{{Name: "A", Provider: a}, {Name: "B", Provider: b}}, Options{Prepare: simplePrepare, Cache: c})
	in := inputs("evil.example", "fine.example", "md5_hash:44D88612FEA8A8F36DE82E1278ABB02F")
	first, sum1, _ := e.Rows(context.Background(), in)
	second, sum2, _ := e.Rows(context.Background(), inputs("EVIL.example", "md5_hash:44d88612fea8a8f36de82e1278abb02f", "fine.example", "other.example"))
	if sum1.Calls != 6 || sum1.CacheHits != 0 {
		t.Errorf("first call: %d calls, %d cache hits", sum1.Calls, sum1.CacheHits)
	}
	// simplePrepare does not lower-case domains: EVIL.example is a new key;
	// the hash is (the engine keys hashes in lower case); other.example is new.
	if sum2.Calls != 4 || sum2.CacheHits != 4 || a.calls.Load() != 5 || b.calls.Load() != 5 {
		t.Errorf("second call: %d calls, %d cache hits (A %d, B %d calls in all)", sum2.Calls, sum2.CacheHits, a.calls.Load(), b.calls.Load())
	}
	for _, r := range second {
		wantCached := r.Item.Value != "EVIL.example" && r.Item.Value != "other.example"
		if r.Cached != wantCached {
			t.Errorf("%s/%s: Cached %v", r.Provider, r.Item.Value, r.Cached)
		}
	}
	// rows: input-major, providers A then B
	if second[2].Result.Status != first[4].Result.Status || second[4].Result.Status != first[2].Result.Status {
		t.Errorf("cached answers differ: %v / %v", second[2].Result, second[4].Result)
	}
	if c.Dir() != "" || c.Flush() != nil {
		t.Error("a memory-only cache has a folder or failed to flush")
	}
}
