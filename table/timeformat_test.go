package table

import (
	"testing"
	"time"
)

// TestFormatTime: the fraction has a fixed width for its precision, so a
// column of millisecond times lines up and sorts as text (new-user
// review 4: .43Z next to .263Z).
func TestFormatTime(t *testing.T) {
	base := time.Date(2024, 3, 1, 7, 0, 23, 0, time.UTC)
	tests := []struct {
		ns   int
		want string
	}{
		{0, "2024-03-01T07:00:23Z"},
		{430_000_000, "2024-03-01T07:00:23.430Z"},
		{263_000_000, "2024-03-01T07:00:23.263Z"},
		{500_000, "2024-03-01T07:00:23.000500Z"},
		{7, "2024-03-01T07:00:23.000000007Z"},
	}
	for _, tt := range tests {
		if got := FormatTime(base.Add(time.Duration(tt.ns))); got != tt.want {
			t.Errorf("%d ns: %s, want %s", tt.ns, got, tt.want)
		}
	}
	if got := FormatTime(base.In(time.FixedZone("", 2*3600)).Add(5 * time.Millisecond)); got != "2024-03-01T09:00:23.005+02:00" {
		t.Errorf("zoned: %s", got)
	}
}
