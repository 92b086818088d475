package lookup

import (
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 3, 20, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"  ", 0, false},
		{"120", 120 * time.Second, true},
		{" 7 ", 7 * time.Second, true},
		{"0", 0, true},
		{"-5", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"Thu, 03 Dec 2026 20:00:30 GMT", 30 * time.Second, true},
		{"Thursday, 03-Dec-26 20:01:00 GMT", time.Minute, true},
		{"Thu Dec  3 20:00:10 2026", 10 * time.Second, true},
		{"Thu, 03 Dec 2026 19:00:00 GMT", 0, true},
		{"99999999999999999999", maxRetryAfterSeconds * time.Second, true},
	}
	for _, tt := range tests {
		got, ok := ParseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"", "120", "Thu, 03 Dec 2026 20:00:30 GMT", "-1", "Thu Dec  3 20:00:10 2026", "999999999999999999999"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 3, 20, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseRetryAfter(s, now)
		if d < 0 {
			t.Fatalf("negative duration %v for %q", d, s)
		}
		if !ok && d != 0 {
			t.Fatalf("not ok but duration %v for %q", d, s)
		}
	})
}
