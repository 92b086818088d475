package lookup

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfterSeconds bounds the seconds form so the conversion to a
// Duration cannot overflow; callers cap the wait far below this anyway.
const maxRetryAfterSeconds = 1 << 30

// ParseRetryAfter reads an HTTP Retry-After header value in either of its
// forms: a number of seconds ("120") or an HTTP-date ("Wed, 21 Oct 2015
// 07:28:00 GMT", also the obsolete RFC 850 and asctime forms). A date in the
// past gives 0. The second result is false when the value is empty or
// neither form. Callers cap the duration (the engine waits at most
// Options.MaxRetryAfter).
func ParseRetryAfter(header string, now time.Time) (time.Duration, bool) {
	h := strings.TrimSpace(header)
	if h == "" {
		return 0, false
	}
	if isDigits(h) {
		n, err := strconv.ParseInt(h, 10, 64)
		if err != nil || n > maxRetryAfterSeconds {
			// Too many digits for int64 or absurdly far: clamp.
			return maxRetryAfterSeconds * time.Second, true
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(h)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d < 0 {
		d = 0
	}
	return d, true
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
