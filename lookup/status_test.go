package lookup

import (
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
