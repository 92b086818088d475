package render

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DateTime is a point in time plus whether it was written without a zone
// ("naive" in Python terms). Naive values are read as UTC and rendered
// with a trailing Z, as MSTICPy does; zoned values keep their offset.
type DateTime struct {
	T     time.Time
	Naive bool
}

// ISO renders MSTICPy's canonical form: 2024-03-01T00:00:00+00:00 (zoned)
// or 2024-03-01T00:00:00Z (naive), with 6 fractional digits when there are
// microseconds and 9 when there are nanoseconds.
func (d DateTime) ISO() string { return d.isoSep('T', true) }

func (d DateTime) isoSep(sep byte, naiveZ bool) string {
	b := make([]byte, 0, 40)
	b = d.T.AppendFormat(b, "2006-01-02")
	b = append(b, sep)
	b = d.T.AppendFormat(b, "15:04:05")
	ns := d.T.Nanosecond()
	if ns != 0 {
		if ns%1000 != 0 {
			b = append(b, '.')
			b = appendPad(b, ns, 9)
		} else {
			b = append(b, '.')
			b = appendPad(b, ns/1000, 6)
		}
	}
	if d.Naive {
		if naiveZ {
			b = append(b, 'Z')
		}
		return string(b)
	}
	_, off := d.T.Zone()
	sign := byte('+')
	if off < 0 {
		sign = '-'
		off = -off
	}
	b = append(b, sign)
	b = appendPad(b, off/3600, 2)
	b = append(b, ':')
	b = appendPad(b, (off%3600)/60, 2)
	if off%60 != 0 {
		b = append(b, ':')
		b = appendPad(b, off%60, 2)
	}
	return string(b)
}

func appendPad(b []byte, n, width int) []byte {
	s := strconv.Itoa(n)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// PyStr is Python's str() of the value: a space between date and time.
func (d DateTime) PyStr() string { return d.isoSep(' ', false) }

// ErrBadTime is wrapped by every datetime parse failure.
var ErrBadTime = errors.New("not a date/time")

const timeHelp = "use ISO 8601 (2024-03-01T00:00:00Z, 2024-03-01), a number of days from now (-2), an offset (-36h, -30m, -1w, -1mon, -1y, optionally rounded: -1d@d) or now"

// maxDays bounds day offsets: beyond it a number is almost surely a
// mistyped date (MSTICPy overflows on "20240101").
const maxDays = 100000

var offsetRE = regexp.MustCompile(`(?i)^([+-]?)(\d{1,9})\s*(mon|y|w|d|h|m|s)?(?:@(mon|y|d|h|m|s))?$`)
var numberRE = regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+)$`)
var slashRE = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](.+))?$`)

// ParseDateTime reads a datetime parameter value. now is the clock.
//   - time.Time / DateTime: used as is (zoned).
//   - int, float: days from now (zoned UTC).
//   - string: "now"; a number (days); an offset [+-]N[unit][@unit] with
//     units y, mon, w, d (default), h, m (minutes), s — rounding (@unit)
//     zeroes the smaller fields, and a non-negative offset then moves one
//     unit forward, as MSTICPy; ISO 8601 dates and times (zone-less = UTC,
//     rendered with Z); YYYY/MM/DD; DD/MM/YYYY or MM/DD/YYYY only when
//     unambiguous; "2 Jan 2024", "Jan 2, 2024", RFC 1123.
//
// Anything else is an error; it never silently becomes "now".
func ParseDateTime(v any, now time.Time) (DateTime, error) {
	now = now.Truncate(time.Microsecond) // Python datetimes hold microseconds
	switch x := v.(type) {
	case DateTime:
		return x, nil
	case *DateTime:
		if x == nil {
			return DateTime{}, fmt.Errorf("%w: nil", ErrBadTime)
		}
		return *x, nil
	case time.Time:
		return DateTime{T: x}, nil
	case string:
		return parseTimeString(x, now)
	case bool:
		return DateTime{}, fmt.Errorf("%w: %v is a boolean; %s", ErrBadTime, x, timeHelp)
	}
	if f, ok := toFloat(v); ok {
		return daysFrom(now, f)
	}
	return DateTime{}, fmt.Errorf("%w: cannot use a %T; %s", ErrBadTime, v, timeHelp)
}

func daysFrom(now time.Time, days float64) (DateTime, error) {
	if math.IsNaN(days) || math.Abs(days) > maxDays {
		return DateTime{}, fmt.Errorf("%w: %v days is out of range (at most %d); to give a date write it as 2024-01-01", ErrBadTime, days, maxDays)
	}
	d := time.Duration(math.Round(days * 24 * float64(time.Hour)))
	return DateTime{T: now.UTC().Add(d)}, nil
}

func parseTimeString(s string, now time.Time) (DateTime, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return DateTime{}, fmt.Errorf("%w: empty value; %s", ErrBadTime, timeHelp)
	}
	if dt, ok := parseISOFast(s); ok {
		return dt, nil
	}
	if strings.EqualFold(s, "now") {
		return DateTime{T: now.UTC()}, nil
	}
	if numberRE.MatchString(s) {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return DateTime{}, fmt.Errorf("%w: %q: %v", ErrBadTime, s, err)
		}
		return daysFrom(now, f)
	}
	if m := offsetRE.FindStringSubmatch(s); m != nil {
		return offset(m, now)
	}
	if dt, ok := parseLayouts(s); ok {
		return dt, nil
	}
	if m := slashRE.FindStringSubmatch(s); m != nil {
		return parseSlash(s, m)
	}
	return DateTime{}, fmt.Errorf("%w: cannot read %q; %s", ErrBadTime, s, timeHelp)
}

func offset(m []string, now time.Time) (DateTime, error) {
	neg := m[1] == "-"
	n, err := strconv.Atoi(m[2])
	if err != nil {
		return DateTime{}, fmt.Errorf("%w: %v", ErrBadTime, err)
	}
	if neg {
		n = -n
	}
	unit := strings.ToLower(m[3])
	t := now.UTC()
	limit := func(max int) error {
		if n > max || n < -max {
			return fmt.Errorf("%w: offset %s is out of range", ErrBadTime, m[0])
		}
		return nil
	}
	switch unit {
	case "y":
		if err := limit(300); err != nil {
			return DateTime{}, err
		}
		t = t.AddDate(n, 0, 0)
	case "mon":
		if err := limit(3600); err != nil {
			return DateTime{}, err
		}
		t = t.AddDate(0, n, 0)
	case "w":
		if err := limit(maxDays / 7); err != nil {
			return DateTime{}, err
		}
		t = t.AddDate(0, 0, 7*n)
	case "", "d":
		if err := limit(maxDays); err != nil {
			return DateTime{}, err
		}
		t = t.AddDate(0, 0, n)
	case "h":
		if err := limit(maxDays * 24); err != nil {
			return DateTime{}, err
		}
		t = t.Add(time.Duration(n) * time.Hour)
	case "m":
		if err := limit(maxDays * 24 * 60); err != nil {
			return DateTime{}, err
		}
		t = t.Add(time.Duration(n) * time.Minute)
	case "s":
		t = t.Add(time.Duration(n) * time.Second)
	}
	round := strings.ToLower(m[4])
	if round == "" {
		return DateTime{T: t}, nil
	}
	y, mo, d := t.Date()
	hh, mm, ss := t.Clock()
	switch round {
	case "y":
		mo, d, hh, mm, ss = 1, 1, 0, 0, 0
	case "mon":
		d, hh, mm, ss = 1, 0, 0, 0
	case "d":
		hh, mm, ss = 0, 0, 0
	case "h":
		mm, ss = 0, 0
	case "m":
		ss = 0
	}
	r := time.Date(y, mo, d, hh, mm, ss, 0, time.UTC)
	if !neg {
		switch round {
		case "y":
			r = r.AddDate(1, 0, 0)
		case "mon":
			r = r.AddDate(0, 1, 0)
		case "d":
			r = r.AddDate(0, 0, 1)
		case "h":
			r = r.Add(time.Hour)
		case "m":
			r = r.Add(time.Minute)
		case "s":
			r = r.Add(time.Second)
		}
	}
	return DateTime{T: r, Naive: true}, nil
}

type layout struct {
	l     string
	zoned bool
}

var layouts = []layout{
	{"2006-01-02T15:04:05Z07:00", true},
	{"2006-01-02 15:04:05Z07:00", true},
	{"2006-01-02T15:04:05", false},
	{"2006-01-02 15:04:05", false},
	{"2006-01-02T15:04Z07:00", true},
	{"2006-01-02 15:04Z07:00", true},
	{"2006-01-02T15:04", false},
	{"2006-01-02 15:04", false},
	{"2006-01-02", false},
	{"2006-01-02T15:04:05Z0700", true},
	{"2006-01-02 15:04:05Z0700", true},
	{"2006-01-02T15:04:05Z07", true},
	{"2006-01-02 15:04:05Z07", true},
	{"2006-01-02T15:04:05 Z07:00", true},
	{"2006-01-02 15:04:05 Z07:00", true},
	{"2006/01/02", false},
	{"2006/01/02 15:04", false},
	{"2006/01/02 15:04:05", false},
	{"2006/01/02T15:04:05", false},
	{"2 Jan 2006", false},
	{"2 Jan 2006 15:04", false},
	{"2 Jan 2006 15:04:05", false},
	{"2 January 2006", false},
	{"Jan 2 2006", false},
	{"Jan 2, 2006", false},
	{"January 2, 2006", false},
	{"Jan 2 2006 15:04:05", false},
	{time.RFC1123Z, true},
	{time.RFC1123, true},
	{"Mon, 2 Jan 2006 15:04:05 -0700", true},
}

func parseLayouts(s string) (DateTime, bool) {
	if len(s) < 6 || len(s) > 64 {
		return DateTime{}, false
	}
	for _, l := range layouts {
		t, err := time.Parse(l.l, s)
		if err != nil {
			continue
		}
		if t.Year() < 1 || t.Year() > 9999 {
			return DateTime{}, false
		}
		return DateTime{T: t, Naive: !l.zoned}, true
	}
	return DateTime{}, false
}

func parseSlash(s string, m []string) (DateTime, error) {
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[2])
	var day, month int
	switch {
	case a == b:
		day, month = a, b
	case a > 12 && b <= 12:
		day, month = a, b
	case b > 12 && a <= 12:
		day, month = b, a
	case a <= 12 && b <= 12:
		return DateTime{}, fmt.Errorf("%w: %q is ambiguous (day/month or month/day?); write it as %s-%02d-%02d or %s-%02d-%02d",
			ErrBadTime, s, m[3], b, a, m[3], a, b)
	default:
		return DateTime{}, fmt.Errorf("%w: cannot read %q; %s", ErrBadTime, s, timeHelp)
	}
	iso := fmt.Sprintf("%s-%02d-%02d", m[3], month, day)
	if m[4] != "" {
		iso += "T" + m[4]
	}
	if dt, ok := parseLayouts(iso); ok {
		return dt, nil
	}
	return DateTime{}, fmt.Errorf("%w: cannot read %q; %s", ErrBadTime, s, timeHelp)
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int8:
		return float64(x), true
	case int16:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	case uint:
		return float64(x), true
	case uint8:
		return float64(x), true
	case uint16:
		return float64(x), true
	case uint32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case float32:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// parseISOFast reads the common ISO 8601 forms without allocating:
// YYYY-MM-DD, then optionally [T ]hh:mm[:ss[.f{1,9}]] and Z or ±hh:mm.
// Anything else returns false and goes through the general parser.
func parseISOFast(s string) (DateTime, bool) {
	num := func(i, n int) (int, bool) {
		if i+n > len(s) {
			return 0, false
		}
		v := 0
		for j := i; j < i+n; j++ {
			c := s[j]
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return DateTime{}, false
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 2)
	d, ok3 := num(8, 2)
	if !ok1 || !ok2 || !ok3 || y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, y) {
		return DateTime{}, false
	}
	var hh, mm, ss, ns int
	i := 10
	if i < len(s) {
		if s[i] != 'T' && s[i] != ' ' {
			return DateTime{}, false
		}
		var ok bool
		if hh, ok = num(i+1, 2); !ok || i+3 >= len(s) || s[i+3] != ':' {
			return DateTime{}, false
		}
		if mm, ok = num(i+4, 2); !ok {
			return DateTime{}, false
		}
		i += 6
		if i < len(s) && s[i] == ':' {
			if ss, ok = num(i+1, 2); !ok {
				return DateTime{}, false
			}
			i += 3
			if i < len(s) && s[i] == '.' {
				j := i + 1
				scale := 100000000
				for j < len(s) && s[j] >= '0' && s[j] <= '9' {
					if j-i > 9 {
						return DateTime{}, false
					}
					ns += int(s[j]-'0') * scale
					scale /= 10
					j++
				}
				if j == i+1 {
					return DateTime{}, false
				}
				i = j
			}
		}
		if hh > 23 || mm > 59 || ss > 59 {
			return DateTime{}, false
		}
	}
	if i == len(s) {
		return DateTime{T: time.Date(y, time.Month(mo), d, hh, mm, ss, ns, time.UTC), Naive: true}, true
	}
	if i == 10 { // a zone needs a time
		return DateTime{}, false
	}
	if s[i] == 'Z' && i+1 == len(s) {
		return DateTime{T: time.Date(y, time.Month(mo), d, hh, mm, ss, ns, time.UTC)}, true
	}
	if (s[i] == '+' || s[i] == '-') && i+6 == len(s) && s[i+3] == ':' {
		oh, ok1 := num(i+1, 2)
		om, ok2 := num(i+4, 2)
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return DateTime{}, false
		}
		off := oh*3600 + om*60
		if s[i] == '-' {
			off = -off
		}
		loc := time.UTC
		if off != 0 {
			loc = time.FixedZone("", off)
		}
		return DateTime{T: time.Date(y, time.Month(mo), d, hh, mm, ss, ns, loc)}, true
	}
	return DateTime{}, false
}

func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
