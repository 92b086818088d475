package dataenv

import (
	"strings"
	"testing"
)

func TestLookupAndAliases(t *testing.T) {
	tests := []struct {
		in, canon, dialect string
		ok                 bool
	}{
		{"MSSentinel", "MSSentinel", "kql", true},
		{"LogAnalytics", "MSSentinel", "kql", true},
		{"azuresentinel", "MSSentinel", "kql", true}, // msticgo ignores case (MSTICPy: exact)
		{"MSSentinel_New", "MSSentinel", "kql", true},
		{"MDATP", "MDE", "kql", true},
		{"SecurityGraph", "MSGraph", "", true},
		{"Mordor", "OTRF", "", true},
		{"Kusto_New", "Kusto", "kql", true},
		{"Splunk", "Splunk", "spl", true},
		{"OpenObserve", "OpenObserve", "sql", true},
		{"Elastic", "Elastic", "lucene", true},
		{"Sentinel", "", "", false},
		{"DuckDB", "", "", false},
	}
	for _, tt := range tests {
		e, ok := Lookup(tt.in)
		if ok != tt.ok || e.Name != tt.canon || e.Dialect != tt.dialect {
			t.Errorf("%s: got %+v %v", tt.in, e, ok)
		}
	}
	if Canonical(" DuckDB ") != "DuckDB" || Canonical("LogAnalytics") != "MSSentinel" {
		t.Error("Canonical")
	}
	for in, want := range map[string]string{"DataEnvironment.LogAnalytics": "MSSentinel", "a.b.c": "b", "MDATP": "MDE", " Custom ": "Custom"} {
		if got := FromMetadata(in); got != want {
			t.Errorf("FromMetadata(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNamesByteOrder(t *testing.T) {
	got := strings.Join(Names(), " ")
	for _, pair := range [][2]string{{"MSSentinel ", "MSSentinelSearch"}, {"MSSentinelSearch", "MSSentinel_Legacy"}, {"OTRF", "OpenObserve"}} {
		if strings.Index(got, pair[0]) > strings.Index(got, pair[1]) {
			t.Errorf("%s must come before %s: %s", pair[0], pair[1], got)
		}
	}
	if len(Names()) != 20 || strings.Contains(got, "LogAnalytics") {
		t.Errorf("canonical names only, 20 of them: %s", got)
	}
}
