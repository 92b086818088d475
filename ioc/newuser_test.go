package ioc

import (
	"strings"
	"testing"
)

// TestParseTypeErrorListsRealTypes: the error for an unknown type lists
// the types one can ask for, not "unknown".
func TestParseTypeErrorListsRealTypes(t *testing.T) {
	for _, in := range []string{"ipv5", "colour"} {
		_, err := ParseType(in)
		if err == nil || !strings.Contains(err.Error(), "known: ipv4, ipv6,") || strings.Contains(err.Error(), "unknown)") ||
			strings.Contains(err.Error(), ", unknown") {
			t.Errorf("ParseType(%q): %v", in, err)
		}
	}
}
