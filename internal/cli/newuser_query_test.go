package cli

import (
	"strings"
	"testing"

	"github.com/msticgo/msticgo/internal/testcorpus"
)

// Bad parameter values of the new-user review: exit 2 with one clear line.
func TestNewUserQueryBadValues(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"list key=", []string{"query", "render", "Network.list_connections_by_ip", "ip_address_list="}, `parameter "ip_address_list": empty list`},
		{"list key=,", []string{"query", "render", "Network.list_connections_by_ip", "ip_address_list=,"}, `parameter "ip_address_list": empty list`},
		{"list key=[]", []string{"query", "render", "Network.list_connections_by_ip", "ip_address_list=[]"}, `parameter "ip_address_list": empty list`},
		{"required str empty", []string{"query", "run", "Network.list_host_connections", "host_name="}, `parameter "host_name": empty value`},
		{"start after end", []string{"query", "run", "Network.list_host_connections", "host_name=WS-ALDER", "start=2026-11-27", "end=2026-11-20"}, "is after end 2026-11-20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, nil, tt.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", r.code, r.stderr, tt.want)
			}
			if r.stdout != "" {
				t.Errorf("stdout not empty: %q", r.stdout)
			}
		})
	}
}

// The user's own --limit is not blamed on the back end, and said once.
func TestNewUserLimitMessage(t *testing.T) {
	r := run(t, nil, "query", "run", "Network.list_connections_by_ip", "ip_address_list=91.234.254.144,185.229.191.41", "--limit", "2", "-o", "csv")
	if r.code != 0 || !strings.Contains(r.stderr, `msg="--limit 2 reached: more rows exist"`) || strings.Contains(r.stderr, "back end") {
		t.Errorf("exit %d stderr %q", r.code, r.stderr)
	}
}

// A split into thousands of chunks is refused with the count; above 100 a
// line says how many queries will be sent.
func TestNewUserSplitChunkCount(t *testing.T) {
	q := "Network.list_public_destinations"
	r := run(t, nil, "query", "run", q, "--split-by", "1D")
	if r.code != 2 || !strings.Contains(r.stderr, "--split-by 1D: 7300 chunks for ") || !strings.Contains(r.stderr, "is more than 5000") {
		t.Errorf("exit %d stderr %q", r.code, r.stderr)
	}
	r = run(t, nil, "query", "run", q, "--split-by", "1W", "-o", "csv")
	if r.code != 0 || strings.Count(r.stderr, "--split-by 1W: 1043 queries for ") != 1 {
		t.Errorf("exit %d stderr %q", r.code, r.stderr)
	}
	r = run(t, nil, "query", "run", q, "--split-by", "1D", "start=2026-11-20", "end=2026-11-28", "-o", "csv")
	if r.code != 0 || strings.Contains(r.stderr, "queries for") {
		t.Errorf("8 chunks: exit %d stderr %q", r.code, r.stderr)
	}
}

// The duplicate-queries warning names three queries, not forty.
func TestNewUserDuplicateWarningShort(t *testing.T) {
	dir := testcorpus.Path(t, "queries-msticpy")
	r := run(t, nil, "--query-path", dir, "query", "list", "-o", "csv")
	if r.code != 0 || !strings.Contains(r.stderr, "40 queries already defined in") || !strings.Contains(r.stderr, " and 37 more (msticgo query validate lists them)") {
		t.Errorf("exit %d stderr %q", r.code, r.stderr)
	}
}
