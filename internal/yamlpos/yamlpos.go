// Package yamlpos puts YAML syntax errors at the line where the document
// stops being valid. go.yaml.in/yaml/v3 reports a parser error at the
// 0-based line of the enclosing construct (one line too early, and not
// where it failed: an unclosed "{" on line 5 is "line 4"), or with no line
// at all. Locate finds the first line by which the text can no longer be
// valid YAML: the shortest prefix of whole lines that fails with the same
// error. It imports nothing of msticgo.
package yamlpos

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

var lineRE = regexp.MustCompile(`^line (\d+): `)

// maxBytes bounds the text re-parsed in all (error path only); past it the
// line yaml reported is kept. A variable for tests.
var maxBytes = 4 << 20

// Locate splits err, returned by yaml.Unmarshal(data, ...), into a 1-based
// line (0 when unknown) and the message without the "yaml: " and
// "line N: " prefixes. Syntax errors get the line found by re-parsing
// prefixes; other errors (type errors of a decode into a struct, which
// already carry node lines) keep the line yaml reported.
func Locate(data []byte, err error) (int, string) {
	text := strings.TrimPrefix(err.Error(), "yaml: ")
	line, msg := split(text)
	if strings.HasPrefix(text, "unmarshal errors:") || strings.Contains(text, "\n") {
		return line, msg
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	start := max(1, line-1)
	size := 0
	for _, l := range lines[:min(start-1, len(lines))] {
		size += len(l)
	}
	for k, budget := start, maxBytes; k <= len(lines); k++ {
		size += len(lines[k-1])
		if budget -= size; budget < 0 {
			// not found cheaply: say only what is sure
			if line > 0 {
				return 0, msg + " (at or after line " + strconv.Itoa(line) + ")"
			}
			return 0, msg
		}
		var n yaml.Node
		perr := yaml.Unmarshal(data[:size], &n)
		if perr == nil {
			continue
		}
		pl, pm := split(strings.TrimPrefix(perr.Error(), "yaml: "))
		if pm == msg && pl == line {
			return k, msg
		}
	}
	return line, msg
}

func split(text string) (int, string) {
	if m := lineRE.FindStringSubmatch(text); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, text[len(m[0]):]
	}
	return 0, text
}

// Message is Locate as one text: "line N: msg", or msg when no line is
// known.
func Message(data []byte, err error) string {
	line, msg := Locate(data, err)
	if line > 0 {
		return "line " + strconv.Itoa(line) + ": " + msg
	}
	return msg
}
