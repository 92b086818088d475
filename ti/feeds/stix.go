package feeds

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Comparison is one "object-path = 'value'" term of a STIX pattern.
type Comparison struct {
	Object string // e.g. ipv4-addr, file
	Path   string // e.g. value, hashes.SHA-256 (quotes removed)
	Value  string
}

// ParseSTIXPattern parses the subset of STIX 2 patterning that describes
// indicator values: observations joined by OR, each holding comparisons
// with "=" joined by OR, e.g.
//
//	[ipv4-addr:value = '1.2.3.4'] OR [domain-name:value = 'x' OR url:value = 'y']
//
// Anything else (AND, FOLLOWEDBY, other operators, qualifiers, non-string
// literals) is an error: such a pattern cannot be matched against a single
// indicator value.
func ParseSTIXPattern(s string) ([]Comparison, error) {
	p := &patParser{s: s}
	var out []Comparison
	for {
		p.ws()
		if !p.eat("[") {
			return nil, p.errf("expected '['")
		}
		for {
			c, err := p.comparison()
			if err != nil {
				return nil, err
			}
			out = append(out, c)
			p.ws()
			if p.eat("]") {
				break
			}
			if p.keyword("OR") {
				continue
			}
			if p.keyword("AND") {
				return nil, p.errf("AND is not supported")
			}
			return nil, p.errf("expected OR or ']'")
		}
		p.ws()
		if p.i >= len(p.s) {
			return out, nil
		}
		if p.keyword("OR") {
			continue
		}
		for _, k := range []string{"AND", "FOLLOWEDBY", "WITHIN", "REPEATS", "START"} {
			if p.keyword(k) {
				return nil, p.errf("%s is not supported", k)
			}
		}
		return nil, p.errf("unexpected text")
	}
}

type patParser struct {
	s string
	i int
}

func (p *patParser) errf(format string, a ...any) error {
	return fmt.Errorf("pattern position %d: %s", p.i, fmt.Sprintf(format, a...))
}

func (p *patParser) ws() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *patParser) eat(t string) bool {
	p.ws()
	if strings.HasPrefix(p.s[p.i:], t) {
		p.i += len(t)
		return true
	}
	return false
}

// keyword eats an upper-case keyword followed by a non-identifier byte.
func (p *patParser) keyword(k string) bool {
	p.ws()
	if !strings.HasPrefix(p.s[p.i:], k) {
		return false
	}
	j := p.i + len(k)
	if j < len(p.s) && isIdent(p.s[j]) {
		return false
	}
	p.i = j
	return true
}

func isIdent(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

func (p *patParser) comparison() (Comparison, error) {
	p.ws()
	start := p.i
	for p.i < len(p.s) && isIdent(p.s[p.i]) {
		p.i++
	}
	obj := p.s[start:p.i]
	if obj == "" || !p.eat(":") {
		return Comparison{}, p.errf("expected object-type:property")
	}
	var path []string
	for {
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == '\'' {
			lit, err := p.str()
			if err != nil {
				return Comparison{}, err
			}
			path = append(path, lit)
		} else {
			st := p.i
			for p.i < len(p.s) && (isIdent(p.s[p.i]) || p.s[p.i] == '*') {
				p.i++
			}
			if st == p.i {
				return Comparison{}, p.errf("expected property name")
			}
			path = append(path, p.s[st:p.i])
		}
		if p.i < len(p.s) && p.s[p.i] == '[' {
			return Comparison{}, p.errf("list index paths are not supported")
		}
		if p.i < len(p.s) && p.s[p.i] == '.' {
			p.i++
			continue
		}
		break
	}
	p.ws()
	if !p.eat("=") || (p.i < len(p.s) && p.s[p.i] == '=') {
		return Comparison{}, p.errf("only '=' comparisons are supported")
	}
	p.ws()
	if p.i >= len(p.s) || p.s[p.i] != '\'' {
		return Comparison{}, p.errf("only string literals are supported")
	}
	v, err := p.str()
	if err != nil {
		return Comparison{}, err
	}
	return Comparison{Object: obj, Path: strings.Join(path, "."), Value: v}, nil
}

// str reads a '...' literal with \' and \\ escapes.
func (p *patParser) str() (string, error) {
	p.i++ // opening quote
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch c {
		case '\\':
			if p.i+1 >= len(p.s) {
				return "", p.errf("unterminated string")
			}
			b.WriteByte(p.s[p.i+1])
			p.i += 2
		case '\'':
			p.i++
			return b.String(), nil
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return "", p.errf("unterminated string")
}

// comparisonType maps an object path to the ioc type it names, or "".
func comparisonType(c Comparison) string {
	obj := strings.ToLower(c.Object)
	path := strings.ToLower(c.Path)
	switch {
	case obj == "ipv4-addr" && path == "value":
		return "ipv4"
	case obj == "ipv6-addr" && path == "value":
		return "ipv6"
	case obj == "domain-name" && path == "value":
		return "dns"
	case obj == "url" && path == "value":
		return "url"
	case obj == "email-addr" && path == "value":
		return "email"
	case (obj == "file" || obj == "artifact") && strings.HasPrefix(path, "hashes."):
		switch strings.ReplaceAll(strings.TrimPrefix(path, "hashes."), "-", "") {
		case "md5":
			return "md5_hash"
		case "sha1":
			return "sha1_hash"
		case "sha256":
			return "sha256_hash"
		}
	}
	return ""
}

type stixBundle struct {
	Type    string            `json:"type"`
	Objects []json.RawMessage `json:"objects"`
}

type stixIndicator struct {
	Type           string   `json:"type"`
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	Description    string   `json:"description"`
	Pattern        string   `json:"pattern"`
	PatternType    string   `json:"pattern_type"`
	Revoked        bool     `json:"revoked"`
	Labels         []string `json:"labels"`
	IndicatorTypes []string `json:"indicator_types"`
	Confidence     *int     `json:"confidence"`
}

// parseSTIX reads a STIX 2.0/2.1 bundle (or a bare list of objects) and
// turns each indicator's pattern into indicators. Patterns it cannot
// evaluate, non-STIX pattern types, revoked indicators and values that are
// not valid indicators are skipped and counted.
func parseSTIX(data []byte, opt fileOptions) (*parsed, error) {
	p := &parsed{Format: "stix"}
	var objs []json.RawMessage
	var b stixBundle
	if err := json.Unmarshal(data, &b); err != nil {
		if err2 := json.Unmarshal(data, &objs); err2 != nil {
			return nil, jsonErr(data, err)
		}
	} else {
		if b.Type != "" && b.Type != "bundle" {
			// A single object rather than a bundle.
			objs = []json.RawMessage{data}
		} else {
			objs = b.Objects
		}
	}
	for i, raw := range objs {
		var ind stixIndicator
		if err := json.Unmarshal(raw, &ind); err != nil {
			var head struct {
				Type any `json:"type"`
				ID   any `json:"id"`
			}
			_ = json.Unmarshal(raw, &head)
			if head.Type != nil && head.Type != "indicator" {
				continue // not an indicator: its shape does not matter
			}
			name := fmt.Sprintf("object %d", i+1)
			if id, ok := head.ID.(string); ok && id != "" {
				name = id
			}
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) && te.Field != "" {
				err = fmt.Errorf("%s is a JSON %s", te.Field, te.Value)
			}
			p.skip("%s (line %d): not read: %v", name, lineAt(data, raw), err)
			continue
		}
		if ind.Type != "indicator" {
			continue
		}
		id := ind.ID
		if id == "" {
			id = fmt.Sprintf("object %d", i)
		}
		if ind.Revoked {
			p.skip("%s: revoked", id)
			continue
		}
		if ind.PatternType != "" && !strings.EqualFold(ind.PatternType, "stix") {
			p.skip("%s: pattern type %q is not evaluated", id, ind.PatternType)
			continue
		}
		cmps, err := ParseSTIXPattern(ind.Pattern)
		if err != nil {
			p.skip("%s: pattern cannot be evaluated (%v): %s", id, err, clip(ind.Pattern))
			continue
		}
		info := ind.Name
		if info == "" {
			info = strings.Join(append(append([]string(nil), ind.IndicatorTypes...), ind.Labels...), ",")
		}
		for _, c := range cmps {
			t := comparisonType(c)
			if t == "" {
				p.skip("%s: %s:%s is not an indicator type msticgo looks up", id, c.Object, c.Path)
				continue
			}
			n, ok := Normalise(c.Value, t)
			if !ok {
				p.skip("%s: %q is not a valid %s", id, clip(c.Value), t)
				continue
			}
			p.Indicators = append(p.Indicators, Indicator{Value: n, Severity: opt.Severity, Suffix: opt.Suffix, Ref: ind.ID, Info: info})
		}
	}
	return p, nil
}

// jsonErr adds the line number of a JSON syntax error.
func jsonErr(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("line %d: invalid JSON: %w", lineOf(data, se.Offset), err)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("line %d: unexpected JSON: %w", lineOf(data, te.Offset), err)
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

// jsonErrAt is jsonErr for an error found while decoding part, a piece of
// data (a json.RawMessage copied out of it): the line is counted in data.
func jsonErrAt(data, part []byte, err error) error {
	base := bytes.Index(data, part)
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case base < 0:
	case errors.As(err, &se):
		return fmt.Errorf("line %d: invalid JSON: %w", lineOf(data, int64(base)+se.Offset), err)
	case errors.As(err, &te):
		return fmt.Errorf("line %d: unexpected JSON: %w", lineOf(data, int64(base)+te.Offset), err)
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

// lineOf is the 1-based line of a byte offset in data.
func lineOf(data []byte, off int64) int {
	return 1 + bytes.Count(data[:min(max(int(off), 0), len(data))], []byte("\n"))
}

// lineAt is the line where part (a json.RawMessage copied out of data)
// starts, or 0 when it cannot be found.
func lineAt(data, part []byte) int {
	i := bytes.Index(data, part)
	if i < 0 {
		return 0
	}
	return lineOf(data, int64(i))
}
