package render

import (
	"strings"
	"testing"
	"time"
)

// Empty list values, blank required strings and an inverted time window
// are bad input, however they are written.
func TestNewUserEmptyValuesAndWindow(t *testing.T) {
	p := NewPrepared("x {ips} {host} {opt} {start} {end}", []Param{
		{Name: "ips", Type: "list"},
		{Name: "host", Type: "str"},
		{Name: "opt", Type: "str", HasDefault: true, Default: ""},
		{Name: "start", Type: "datetime"},
		{Name: "end", Type: "datetime"},
	})
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	base := func() map[string]any {
		return map[string]any{"ips": "1.2.3.4", "host": "h", "start": "2026-11-20", "end": "2026-11-27"}
	}
	tests := []struct {
		name string
		set  map[string]any
		want string // "" means no error
	}{
		{"ok", nil, ""},
		{"empty optional str is fine", map[string]any{"opt": ""}, ""},
		{"list blank", map[string]any{"ips": ""}, `parameter "ips": empty list`},
		{"list comma", map[string]any{"ips": ","}, `parameter "ips": empty list`},
		{"list spaces and commas", map[string]any{"ips": " , "}, `parameter "ips": empty list`},
		{"list JSON empty", map[string]any{"ips": []any{}}, `parameter "ips": empty list`},
		{"list with one blank item kept", map[string]any{"ips": "a,"}, ""},
		{"required str blank", map[string]any{"host": " "}, `parameter "host": empty value`},
		{"start after end", map[string]any{"start": "2026-11-27", "end": "2026-11-20"}, `parameter "start": 2026-11-27T00:00:00Z is after end 2026-11-20T00:00:00Z`},
		{"start equals end", map[string]any{"start": "2026-11-27", "end": "2026-11-27"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := base()
			for k, x := range tt.set {
				v[k] = x
			}
			_, err := p.Render(v, Options{Now: now})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// TestUnknownParameterSuggestion: a misspelt parameter name gets a "did
// you mean" (new-user review 4), as query names do.
func TestUnknownParameterSuggestion(t *testing.T) {
	p := NewPrepared("T | where h == '{host_name}'", []Param{{Name: "host_name", Type: "str", Aliases: []string{"hostname"}}})
	tests := []struct{ given, want string }{
		{"host_nam", `unknown parameters "host_nam" (did you mean "host_name"?)`},
		{"hostnme", `(did you mean "hostname"?)`},
		{"zzzzzz", `unknown parameters "zzzzzz" (valid: host_name (aliases: hostname))`},
	}
	for _, tt := range tests {
		_, err := p.Resolve(map[string]any{tt.given: "x"})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.given, err, tt.want)
		}
	}
}
