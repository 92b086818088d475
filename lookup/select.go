package lookup

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/msticgo/msticgo/registry"
)

// Select picks the entries to run. With no names: every Primary entry (in
// config order). With names (config entry names, case-insensitive, in the
// order given, duplicates ignored): exactly those, primary or secondary. An
// unknown name is an error listing the loaded entries; so is an empty
// selection.
func Select(specs []ProviderSpec, names []string) ([]ProviderSpec, error) {
	loaded := make([]string, len(specs))
	for i, s := range specs {
		loaded[i] = s.Name
	}
	list := func() string {
		if len(loaded) == 0 {
			return "none are configured"
		}
		return "loaded: " + strings.Join(loaded, ", ")
	}
	var out []ProviderSpec
	if len(names) == 0 {
		for _, s := range specs {
			if s.Primary {
				out = append(out, s)
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("%w: no primary provider is configured (%s); name some with --providers", ErrNoProviders, list())
		}
		return out, nil
	}
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" || seen[strings.ToLower(n)] {
			continue
		}
		seen[strings.ToLower(n)] = true
		found := false
		for _, s := range specs {
			if strings.EqualFold(s.Name, n) {
				out = append(out, s)
				found = true
				break
			}
		}
		if !found {
			return nil, &UnknownNameError{Name: n, Loaded: loaded}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w (%s)", ErrNoProviders, list())
	}
	return out, nil
}

// UnknownNameError is a --providers name that is no loaded config entry.
// Type, when set, is the registered provider type of that name: the
// entry is missing from the config, not the provider.
type UnknownNameError struct {
	Name    string
	Loaded  []string // the loaded entry names
	Type    string   // the registered provider type named Name, if any
	Section string   // TIProviders or ContextProviders (with Type)
	UsedBy  []string // loaded entries of that provider type (with Type)
	// TypeSuggestion is a registered provider type whose name is close to
	// Name, when no loaded entry's is.
	TypeSuggestion string
}

func (e *UnknownNameError) Error() string {
	list := "none are configured"
	if len(e.Loaded) > 0 {
		list = "loaded: " + strings.Join(e.Loaded, ", ")
	}
	if e.Type != "" && len(e.UsedBy) > 0 {
		return fmt.Sprintf("no %s entry named %q: --providers takes entry names, and entry %q has Provider: %s; %s",
			e.Section, e.Name, e.UsedBy[0], e.Type, list)
	}
	if e.Type != "" {
		return fmt.Sprintf("no %s entry named %q (the provider type exists: add an entry with Provider: %s to msticpyconfig.yaml); %s",
			e.Section, e.Name, e.Type, list)
	}
	msg := fmt.Sprintf("unknown provider %q", e.Name)
	if sg := registry.Suggest(e.Name, e.Loaded); sg != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", sg)
	} else if e.TypeSuggestion != "" {
		msg += fmt.Sprintf(" (did you mean the provider type %q? it is used through an entry: add one with Provider: %s to %s in msticpyconfig.yaml)", e.TypeSuggestion, e.TypeSuggestion, e.Section)
	}
	return msg + "; " + list
}

// Setting keys of a config entry's Args that override a provider's limits.
const (
	ArgRateLimit   = "RateLimit"   // "200/s", "4/min", "1000/h" or a number (per second)
	ArgBurst       = "Burst"       // token bucket size (integer)
	ArgConcurrency = "Concurrency" // parallel calls (integer)
	ArgDailyQuota  = "DailyQuota"  // calls per UTC day (integer)
	ArgTimeout     = "Timeout"     // per call: seconds ("45") or a Go duration ("1m30s")
	ArgRetries     = "Retries"     // retry budget on 429/5xx (integer; 0 = none)
	ArgMaxBatch    = "MaxBatch"    // items per call to a provider that takes batches (integer)
)

// LimitArgs are the Args keys the engine reads from every TIProviders and
// ContextProviders entry (LimitsFromArgs), in the order messages list them.
// Read only.
var LimitArgs = []string{ArgRateLimit, ArgBurst, ArgConcurrency,
	ArgDailyQuota, ArgTimeout, ArgRetries, ArgMaxBatch}

// LimitsFromArgs reads limit overrides from a config entry's Args (keys
// matched case-insensitively; absent keys stay zero = not overridden). An
// error names the key and the bad value.
func LimitsFromArgs(args map[string]string) (Limits, error) {
	var l Limits
	var errs []error
	get := func(key string) (string, bool) {
		for k, v := range args {
			if strings.EqualFold(k, key) {
				return strings.TrimSpace(v), true
			}
		}
		return "", false
	}
	posInt := func(key string) int {
		v, ok := get(key)
		if !ok || v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			errs = append(errs, fmt.Errorf("setting %s: %q is not a whole number >= 0", key, v))
			return 0
		}
		return n
	}
	l.Concurrency = posInt(ArgConcurrency)
	l.Burst = posInt(ArgBurst)
	l.DailyQuota = posInt(ArgDailyQuota)
	l.MaxBatch = posInt(ArgMaxBatch)
	if v, ok := get(ArgRetries); ok && v != "" {
		before := len(errs)
		n := posInt(ArgRetries)
		if len(errs) == before {
			l.Retries = n
			if n == 0 {
				l.Retries = -1 // explicit "no retries"
			}
		}
	}
	if v, ok := get(ArgTimeout); ok && v != "" {
		d, err := parseSecondsOrDuration(v)
		if err != nil || d <= 0 {
			errs = append(errs, fmt.Errorf("setting %s: %q is not a positive number of seconds or a duration like 45s", ArgTimeout, v))
		} else {
			l.Timeout = d
		}
	}
	if v, ok := get(ArgRateLimit); ok && v != "" {
		n, per, err := ParseRate(v)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("setting %s: %w", ArgRateLimit, err))
		case per == time.Second:
			l.PerSecond = n
		case per == time.Minute:
			l.PerMinute = n
		default: // per hour: expressed per minute
			l.PerMinute = n / 60
		}
	}
	// every bad setting, in a fixed order (errors.Join: one per line)
	return l, errors.Join(errs...)
}

// ParseRate reads "N/s", "N/sec", "N/second", "N/m", "N/min", "N/minute",
// "N/h", "N/hour" or a bare N (per second).
func ParseRate(s string) (float64, time.Duration, error) {
	num, unit, _ := strings.Cut(strings.ReplaceAll(strings.TrimSpace(s), " ", ""), "/")
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || !(n > 0 && n <= 1e9) { // also rejects NaN
		return 0, 0, fmt.Errorf("%q is not a rate like 200/s or 4/min", s)
	}
	switch strings.ToLower(unit) {
	case "", "s", "sec", "second":
		return n, time.Second, nil
	case "m", "min", "minute":
		return n, time.Minute, nil
	case "h", "hr", "hour":
		return n, time.Hour, nil
	}
	return 0, 0, fmt.Errorf("%q is not a rate like 200/s or 4/min (unit %q)", s, unit)
}

func parseSecondsOrDuration(v string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if !(f >= 0 && f <= 86400*365) { // also rejects NaN
			return 0, fmt.Errorf("too long")
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	return time.ParseDuration(v)
}
