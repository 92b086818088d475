package render

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Range is one chunk of a split time range; End is inclusive.
type Range struct {
	Start, End DateTime
}

var intervalPartRE = regexp.MustCompile(`(?i)\s*(\d+(?:\.\d+)?)\s*(weeks?|w|days?|d|hours?|hrs?|h|minutes?|mins?|min|m|t|seconds?|secs?|sec|s|milliseconds?|ms|l)\s*`)
var clockRE = regexp.MustCompile(`^(\d+)\s*days?\s+(\d{1,2}):(\d{2}):(\d{2})$`)

// maxInterval bounds split intervals (far below time.Duration's limit).
const maxInterval = 100 * 365 * 24 * time.Hour

// ParseInterval reads a split interval the way pandas' Timedelta does for
// common forms: "1D", "1h", "1H", "30min", "2d", "1W", "1d12h",
// "1 days 02:00:00", and Go durations ("90m"). Unlike MSTICPy an invalid
// interval is an error, not one day.
func ParseInterval(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty split interval")
	}
	var d time.Duration
	if m := clockRE.FindStringSubmatch(s); m != nil {
		days, _ := strconv.Atoi(m[1])
		h, _ := strconv.Atoi(m[2])
		mi, _ := strconv.Atoi(m[3])
		se, _ := strconv.Atoi(m[4])
		if days > 36500 {
			return 0, fmt.Errorf("split interval %q is too large (at most 100 years)", s)
		}
		d = time.Duration(days)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(se)*time.Second
	} else {
		rest := s
		for rest != "" {
			loc := intervalPartRE.FindStringSubmatchIndex(rest)
			if loc == nil || loc[0] != 0 {
				return 0, fmt.Errorf("cannot read split interval %q (examples: 1D, 6h, 30min, 1W)", s)
			}
			n, _ := strconv.ParseFloat(rest[loc[2]:loc[3]], 64)
			unit := strings.ToLower(rest[loc[4]:loc[5]])
			var u time.Duration
			switch {
			case strings.HasPrefix(unit, "w"):
				u = 7 * 24 * time.Hour
			case strings.HasPrefix(unit, "d"):
				u = 24 * time.Hour
			case strings.HasPrefix(unit, "h"):
				u = time.Hour
			case unit == "ms" || strings.HasPrefix(unit, "milli") || unit == "l":
				u = time.Millisecond
			case strings.HasPrefix(unit, "m") || unit == "t":
				u = time.Minute
			default:
				u = time.Second
			}
			part := n * float64(u)
			if n > 1e6 || part+float64(d) > float64(maxInterval) {
				return 0, fmt.Errorf("split interval %q is too large (at most 100 years)", s)
			}
			d += time.Duration(part)
			rest = rest[loc[1]:]
		}
	}
	if d <= 0 {
		return 0, fmt.Errorf("split interval %q must be positive", s)
	}
	return d, nil
}

// SplitRanges splits [start, end] into consecutive ranges of length d
// (each ending 1 ns before the next starts; the last ends exactly at end),
// as MSTICPy does. A span shorter than d gives one range.
func SplitRanges(start, end DateTime, d time.Duration) ([]Range, error) {
	if d <= 0 {
		return nil, fmt.Errorf("split interval must be positive")
	}
	if end.T.Before(start.T) {
		return nil, fmt.Errorf("split: end %s is before start %s", end.ISO(), start.ISO())
	}
	if n := end.T.Sub(start.T) / d; n > 100000 {
		return nil, fmt.Errorf("split: %d chunks is too many (at most 100000)", n)
	}
	mk := func(t time.Time, naive bool) DateTime { return DateTime{T: t, Naive: naive} }
	var points []time.Time
	for p := start.T; !p.After(end.T); p = p.Add(d) {
		points = append(points, p)
	}
	var out []Range
	for i := 0; i+1 < len(points); i++ {
		out = append(out, Range{Start: mk(points[i], start.Naive), End: mk(points[i+1].Add(-time.Nanosecond), start.Naive)})
	}
	if len(out) == 0 {
		return []Range{{Start: start, End: end}}, nil
	}
	last := &out[len(out)-1]
	if end.T.Sub(last.End.T) < d/1000 {
		last.End = end
	} else {
		out = append(out, Range{Start: mk(last.End.T.Add(time.Nanosecond), start.Naive), End: end})
	}
	return out, nil
}
