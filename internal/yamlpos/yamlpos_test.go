package yamlpos

import (
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestLocate(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		wantLine int
		wantMsg  string
	}{
		// the new-user review's examples: yaml/v3 said one line too early
		{"unclosed flow mapping (plugin)", "name: x\nkind: ti\nversion: 1\nsettings:\n  headers: {a: b\n  other: 1\n", 5, "did not find expected ',' or '}'"},
		{"unclosed flow mapping (config)", "TIProviders:\n  A:\n    Args: {AuthKey: x\n  B:\n    Primary: true\n", 3, "did not find expected ',' or '}'"},
		{"bad indentation", "TIProviders:\n  A:\n    Primary: true\n   Args: x\n", 4, "did not find expected key"},
		{"unclosed flow sequence (query)", "metadata:\n  version: 1\n  data_environments: [LocalData\nsources: {}\n", 3, "did not find expected ',' or ']'"},
		{"unclosed sequence on line 1", "x: [1, 2\ny: 3\n", 1, "did not find expected ',' or ']'"},
		{"outdented key", "a:\n  b: 1\n c: 2\n", 3, "did not find expected key"},
		{"sequence then key", "a: 1\nb:\n  - x\n  c: 1\n", 4, "did not find expected '-' indicator"},
		{"no line from yaml", "a: 1\nb: c: d\n", 2, "mapping values are not allowed in this context"},
		{"tab (already right)", "a: 1\n\tb: 2\n", 2, "found a tab character that violates indentation"},
		{"unclosed quote", "a: 1\nb: \"x\n", 2, "found unexpected end of stream"},
		{"valid multi-line flow before the error", "a: {x: 1,\n  y: 2}\nb: 1\nc: [1\n", 4, "did not find expected ',' or ']'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n yaml.Node
			err := yaml.Unmarshal([]byte(tt.text), &n)
			if err == nil {
				t.Fatal("text parses")
			}
			line, msg := Locate([]byte(tt.text), err)
			if line != tt.wantLine || msg != tt.wantMsg {
				t.Errorf("Locate = %d %q, want %d %q (yaml said %q)", line, msg, tt.wantLine, tt.wantMsg, err)
			}
			if got := Message([]byte(tt.text), err); !strings.HasPrefix(got, "line ") {
				t.Errorf("Message = %q", got)
			}
		})
	}
}

// Type errors from a decode into a struct keep yaml's (node) lines.
func TestLocateTypeErrors(t *testing.T) {
	text := "a: 1\nb: [x]\n"
	var v struct{ B int }
	err := yaml.Unmarshal([]byte(text), &v)
	if err == nil {
		t.Fatal("no error")
	}
	line, msg := Locate([]byte(text), err)
	if line != 0 || !strings.Contains(msg, "line 2: cannot unmarshal") {
		t.Errorf("Locate = %d %q", line, msg)
	}
}

// A big file whose error is far from where yaml points stays cheap: the
// search stops at its byte budget and says only what is sure.
func TestLocateBudget(t *testing.T) {
	defer func(n int) { maxBytes = n }(maxBytes)
	maxBytes = 256 << 10
	var b strings.Builder
	b.WriteString("top:\n  inner:\n")
	for i := 0; i < 2000; i++ {
		b.WriteString("    key")
		b.WriteString(strconv.Itoa(i))
		b.WriteString(": value\n")
	}
	b.WriteString("   bad: 1\n")
	var n yaml.Node
	err := yaml.Unmarshal([]byte(b.String()), &n)
	if err == nil {
		t.Fatal("parses")
	}
	line, msg := Locate([]byte(b.String()), err)
	if line != 0 || !strings.HasPrefix(msg, "did not find expected key (at or after line ") {
		t.Errorf("Locate = %d %q (yaml: %v)", line, msg, err)
	}
}
