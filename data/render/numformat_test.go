package render

import "testing"

// TestNumberFormats: a format template with a numeric spec formats int and
// float parameters as Python's str.format does (acceptance audit: "{:05d}"
// was refused).
func TestNumberFormats(t *testing.T) {
	tests := []struct {
		typ, format string
		v           any
		want        string
	}{
		{"int", "{:05d}", 42, "00042"},
		{"int", "{:05d}", -42, "-0042"},
		{"int", "{:x}", 255, "ff"},
		{"int", "{:X}", "255", "FF"},
		{"int", "{:b}", 5, "101"},
		{"int", "{:>6}", 42, "    42"},
		{"int", "{:<6}|", 42, "42    |"},
		{"int", "{:^6}", 42, "  42  "},
		{"int", "{:+d}", 7, "+7"},
		{"int", "{:*>5}", 7, "****7"},
		{"int", "{:.2f}", 3, "3.00"},
		{"int", "{}", 42, "42"},
		{"float", "{:.2f}", 3.14159, "3.14"},
		{"float", "{:08.3f}", -3.14159, "-003.142"},
		{"float", "{:e}", 12345.678, "1.234568e+04"},
		{"float", "{:.1%}", 0.256, "25.6%"},
		{"float", "{:g}", 0.00001, "1e-05"},
		{"float", "{}", 2.5, "2.5"},
	}
	for _, tt := range tests {
		p := NewPrepared("{x}", []Param{{Name: "x", Type: tt.typ, Format: tt.format}})
		r, err := p.Render(map[string]any{"x": tt.v}, Options{})
		if err != nil {
			t.Errorf("%s %s %v: %v", tt.typ, tt.format, tt.v, err)
			continue
		}
		if r.Text != tt.want {
			t.Errorf("%s %s %v = %q, want %q", tt.typ, tt.format, tt.v, r.Text, tt.want)
		}
	}
	p := NewPrepared("{x}", []Param{{Name: "x", Type: "float", Format: "{:d}"}})
	if _, err := p.Render(map[string]any{"x": 2.5}, Options{}); err == nil {
		t.Error("{:d} with a float must be an error, as in Python")
	}
}
