package cli

import (
	"strings"
	"testing"
)

func TestClipInput(t *testing.T) {
	long := strings.Repeat("a", 200000)
	tests := []struct {
		name, in, want string
	}{
		{"short kept", "evil.example", "evil.example"},
		{"exactly the limit kept", strings.Repeat("b", maxQuotedInput), strings.Repeat("b", maxQuotedInput)},
		{"long cut", long, strings.Repeat("a", maxQuotedInput) + "… (200000 characters)"},
		{"cut on characters, not bytes", strings.Repeat("東", 100), strings.Repeat("東", maxQuotedInput) + "… (100 characters)"},
		{"invalid UTF-8 replaced", "a\xff\xfeb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := clipInput(tt.in); got != tt.want {
				t.Errorf("clipInput = %.120q, want %.120q", got, tt.want)
			}
		})
	}
}

// A huge input no provider takes is quoted clipped in the stderr warning.
func TestUnsupportedWarningClipsLongInputs(t *testing.T) {
	long := strings.Repeat("a", 200000)
	_, stderr, _ := runTI(t, long+"\n", "-o", "json", "ti", "lookup", "--no-cache")
	if len(stderr) > 2000 {
		t.Fatalf("stderr is %d bytes: %.300q", len(stderr), stderr)
	}
	if !strings.Contains(stderr, "inputs not looked up") || !strings.Contains(stderr, strings.Repeat("a", maxQuotedInput)+"… (200000 characters)") {
		t.Errorf("warning not clipped as documented: %q", stderr)
	}
}
