// Package lookup owns the engine shared by threat-intelligence and context
// lookups: provider selection, fan-out, per-provider concurrency and rate
// limits, retries, caching, and one result row per (indicator, provider),
// always, in input order. Providers plug in through the small Provider
// interface below; optional abilities are separate interfaces.
package lookup

import (
	"context"
	"strings"
	"time"
)

// Severity orders verdicts as MSTICPy does: unknown < information < warning < high.
type Severity int

// Severities, with MSTICPy's numeric values.
const (
	SevUnknown     Severity = -1
	SevInformation Severity = 0
	SevWarning     Severity = 1
	SevHigh        Severity = 2
)

func (s Severity) String() string {
	switch s {
	case SevInformation:
		return "information"
	case SevWarning:
		return "warning"
	case SevHigh:
		return "high"
	}
	return "unknown"
}

// ParseSeverity reads a severity name case-insensitively ("info" and
// "medium"/"low" are accepted as information/warning), else SevUnknown.
func ParseSeverity(s string) Severity {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "information", "info", "low", "none", "benign":
		return SevInformation
	case "warning", "medium", "warn", "suspicious":
		return SevWarning
	case "high", "critical", "malicious":
		return SevHigh
	}
	return SevUnknown
}

// Status is the readable outcome of one lookup of one item by one provider.
type Status int

// Statuses. Each maps to MSTICPy's numeric status with Code.
const (
	StatusFound         Status = iota // the provider knows the indicator
	StatusNotFound                    // the provider answered: nothing known (not an error)
	StatusUnsupported                 // the provider does not handle this type
	StatusInvalid                     // the input is not a valid indicator of its type
	StatusNotRoutable                 // a non-global address: never sent to a TI service
	StatusTimeout                     // the call did not finish in time
	StatusRateLimited                 // rate limit or quota exhausted after the retry budget
	StatusProviderError               // the provider failed (HTTP error, auth, crash...)
	StatusUnexpected                  // the answer did not have the documented shape
	StatusNotConfigured               // the provider lacks a required setting; no call made
)

var statusNames = [...]string{
	"found", "not found", "unsupported type", "invalid input", "not routable",
	"timeout", "rate limited", "provider error", "unexpected response", "not configured",
}

func (s Status) String() string {
	if int(s) >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "unknown status"
}

// Code is MSTICPy's numeric status: OK 0, NOT_SUPPORTED 1, BAD_FORMAT 2,
// QUERY_FAILED 3, NO_DATA 4, OTHER 10.
func (s Status) Code() int {
	switch s {
	case StatusFound, StatusNotFound:
		return 0
	case StatusUnsupported:
		return 1
	case StatusInvalid, StatusNotRoutable:
		return 2
	case StatusProviderError, StatusUnexpected, StatusTimeout, StatusRateLimited:
		return 3
	case StatusNotConfigured:
		return 10
	}
	return 10
}

// OK reports whether the status is a real answer (found or not found).
func (s Status) OK() bool { return s == StatusFound || s == StatusNotFound }

// Item is one indicator to look up.
type Item struct {
	Ioc     string // the input exactly as given
	Type    string // observable type name (ioc package names: ipv4, dns, url, md5_hash...)
	SubType string // optional query sub-type (MSTICPy's ioc_query_type)
	Value   string // the cleaned, normalised value sent to providers (SafeIoc)
}

// Result is one provider's answer for one item.
type Result struct {
	Status    Status
	Found     bool
	Severity  Severity
	Details   any    // short, provider-specific summary (string, map, list)
	RawResult any    // the raw answer (decoded JSON) or an error text
	Reference string // a URL for a human (no secrets, no query string)
	// Message explains a non-OK status in one line (no secrets).
	Message string
	// RetryAfter is set by providers that were told to wait (HTTP 429).
	RetryAfter time.Duration
	// Retryable marks a failure worth retrying (HTTP 5xx, a dropped
	// connection): the engine retries StatusRateLimited results and
	// StatusProviderError results with Retryable set, within its budget.
	Retryable bool
	// NotSent marks a failure where no request left the machine (the
	// provider's host name did not resolve, the connection was refused,
	// no route): the engine does not count the call against the daily
	// quota, and retries it only when Retryable is also set.
	NotSent bool
}

// Provider looks up one item. Implementations must honour ctx and never
// panic on outside input; a failure is a Result with a non-OK Status.
type Provider interface {
	Lookup(ctx context.Context, item Item) Result
}

// BatchProvider is an optional ability: look up many items in one call.
// The returned slice has one Result per item, in order.
type BatchProvider interface {
	LookupBatch(ctx context.Context, items []Item) []Result
}

// TypeSupporter is an optional ability: which types (and sub-types) the
// provider handles. Providers without it, or whose list is empty (nil or
// no entries), are asked about every type.
type TypeSupporter interface {
	SupportedTypes() []string
}

// Limits are a provider's declared limits; zero fields mean engine defaults.
type Limits struct {
	Concurrency int           // parallel calls
	PerSecond   float64       // sustained request rate
	PerMinute   float64       // alternative to PerSecond
	Burst       int           // token bucket size
	DailyQuota  int           // requests per day (0 = none)
	Timeout     time.Duration // per call
	MaxBatch    int           // items per batch call
	Retries     int           // retry budget on 429/5xx
}

// Limiter is an optional ability: the provider declares its limits.
type Limiter interface {
	Limits() Limits
}
