package feeds

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/msticgo/msticgo/ioc"
	"github.com/msticgo/msticgo/lookup"
)

// maxProblems is how many problem texts a source keeps (the count is exact).
const maxProblems = 5

// parsed is what a parser returns for one file.
type parsed struct {
	Indicators []Indicator
	Skipped    int      // entries skipped (not an indicator, unsupported pattern...)
	Problems   []string // the first maxProblems reasons, with line or object id
	Format     string

	fromTextN int // plain lists: lines of text indicators were found in
}

func (p *parsed) skip(format string, a ...any) { p.skipN(1, format, a...) }

// skipN counts n skipped entries under one problem.
func (p *parsed) skipN(n int, format string, a ...any) {
	p.Skipped += n
	if len(p.Problems) < maxProblems {
		p.Problems = append(p.Problems, fmt.Sprintf(format, a...))
	}
}

// fileOptions are the per-file settings a parser needs.
type fileOptions struct {
	Format   string          // plain, csv, stix, misp, warninglist (or "" = by content)
	Severity lookup.Severity // severity of entries that carry none
	Suffix   bool            // domain entries match subdomains
	Type     string          // force this type for plain lists ("" = infer per line)
	Columns  map[string]string
}

// classifyAs types v with the forced type t, or infers it when t is empty.
func classifyAs(v, t string) (Normalised, bool) {
	if t == "" {
		return Classify(v)
	}
	return Normalise(v, t)
}

// parsePlain reads one indicator per line. Blank lines are ignored and
// '#' starts a comment line; the most recent comment line is kept as the
// entries' description (LOKI's C2 lists group entries under a comment).
// A ';' splits "VALUE;COMMENT" (LOKI hash lists), "VALUE;SCORE;COMMENT"
// and "VALUE;SCORE" (LOKI C2 lists: the description is then the comment
// line above), see lokiFields.
func parsePlain(r io.Reader, opt fileOptions) (*parsed, error) {
	p := &parsed{Format: "plain"}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	comment := ""
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if text == "" {
			continue
		}
		if text[0] == '#' {
			c := strings.TrimSpace(strings.TrimLeft(text, "#"))
			if c != "" {
				comment = c
			}
			continue
		}
		value, info, score := text, comment, 0
		loki := false
		if i := strings.IndexByte(text, ';'); i >= 0 {
			value, info, score = lokiFields(text[:i], text[i+1:], comment)
			p.Format = "loki"
			loki = true
		}
		n, ok := classifyAs(value, opt.Type)
		if !ok && !loki && opt.Type == "" {
			// A line of text ("- 50pm4[.]com - 82.146.46[.]29", "- HASH
			// name.doc"), as in IoC write-ups: the indicators in it.
			if found := p.fromText(text, line, comment, opt); found > 0 {
				continue
			}
		}
		if !ok {
			p.skip("line %d: %q is not an indicator", line, clip(value))
			continue
		}
		p.Indicators = append(p.Indicators, Indicator{Value: n, Severity: opt.Severity, Suffix: opt.Suffix, Line: line, Info: info, Score: score})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	if p.fromTextN > 0 {
		p.Format += fmt.Sprintf("; indicators found in %d %s of text", p.fromTextN, plural(p.fromTextN, "line", "lines"))
	}
	return p, nil
}

// fromText adds the indicators package ioc finds in one line of a plain
// list that is not itself an indicator, and returns how many it added.
// The host of a URL (or the domain of an e-mail address) found in the line
// is not added on its own, as a plain list's URL line does not list its
// host. Types the feeds do not index (paths...) are left out. The
// description is the comment above, else the line itself.
func (p *parsed) fromText(text string, line int, comment string, opt fileOptions) int {
	ms := ioc.Extract(text)
	info := lineRest(text, ms)
	switch {
	case comment != "" && info != "":
		info = comment + ": " + info
	case comment != "":
		info = comment
	}
	added := 0
	for i, m := range ms {
		if insideOther(ms, i) {
			continue
		}
		n, ok := Classify(m.Value)
		if !ok {
			continue
		}
		p.Indicators = append(p.Indicators, Indicator{Value: n, Severity: opt.Severity, Suffix: opt.Suffix, Line: line, Info: info})
		added++
	}
	if added > 0 {
		p.fromTextN++
	}
	return added
}

// lineRest is a line's text without the indicators found in it, for a
// description: "- HASH  report.doc" gives "report.doc", "- a[.]com -
// 1.2.3[.]4" gives "". At most 200 bytes.
func lineRest(text string, ms []ioc.Match) string {
	var b strings.Builder
	at := 0
	for _, m := range ms {
		if m.Offset < at || m.Offset+len(m.Raw) > len(text) {
			continue // inside one already cut (a URL's host)
		}
		b.WriteString(text[at:m.Offset])
		b.WriteByte(' ')
		at = m.Offset + len(m.Raw)
	}
	b.WriteString(text[at:])
	rest := strings.Join(strings.Fields(b.String()), " ")
	rest = strings.Trim(rest, " -*•:,;|")
	return clipN(rest, 200)
}

// insideOther reports whether match i lies within another match's text
// (the host Extract adds for a URL or e-mail address).
func insideOther(ms []ioc.Match, i int) bool {
	a, b := ms[i].Offset, ms[i].Offset+len(ms[i].Raw)
	for j, o := range ms {
		if j != i && o.Offset <= a && b <= o.Offset+len(o.Raw) && len(o.Raw) > len(ms[i].Raw) {
			return true
		}
	}
	return false
}

// lokiFields reads the part of a LOKI line after the value. LOKI's lists
// have three forms: "HASH;COMMENT" (the comment is the description),
// "HASH;SCORE;COMMENT" and, in C2 lists, "IP;SCORE" under a "# campaign
// link" header (the header is the description). A score is a whole number
// from 0 to 100.
func lokiFields(value, rest, header string) (string, string, int) {
	value, rest = strings.TrimSpace(value), strings.TrimSpace(rest)
	first, more, hasMore := strings.Cut(rest, ";")
	if n, ok := lokiScore(first); ok {
		if hasMore && strings.TrimSpace(more) != "" {
			return value, strings.TrimSpace(more), n
		}
		return value, header, n
	}
	return value, rest, 0
}

func lokiScore(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 3 {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n <= 100
}

// csvRoles are the roles a CSV column can be mapped to.
var csvRoles = map[string]bool{"value": true, "type": true, "severity": true, "comment": true}

// parseColumns reads "value=ioc,type=kind,severity=sev,comment=desc".
func parseColumns(s string) (map[string]string, error) {
	m := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		role, col, ok := strings.Cut(part, "=")
		role = strings.ToLower(strings.TrimSpace(role))
		col = strings.TrimSpace(col)
		if !ok || col == "" {
			return nil, fmt.Errorf("column mapping %q: want role=column", part)
		}
		if !csvRoles[role] {
			return nil, fmt.Errorf("column mapping %q: unknown role %q (want value, type, severity, comment)", part, role)
		}
		m[role] = col
	}
	if m["value"] == "" {
		return nil, errors.New("column mapping has no value=COLUMN")
	}
	return m, nil
}

// parseCSV reads a CSV file with a header row. Without a mapping the value
// column is the first of: value, indicator, ioc, observable (any case);
// type, severity and comment/description columns are used when present.
func parseCSV(r io.Reader, opt fileOptions) (*parsed, error) {
	p := &parsed{Format: "csv"}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.Comment = '#'
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return p, nil
	}
	if err != nil {
		return nil, csvErr(err)
	}
	cols := map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if _, dup := cols[strings.ToLower(h)]; !dup {
			cols[strings.ToLower(h)] = i
		}
	}
	pos := map[string]int{"value": -1, "type": -1, "severity": -1, "comment": -1}
	if len(opt.Columns) > 0 {
		for role, col := range opt.Columns {
			i, ok := cols[strings.ToLower(col)]
			if !ok {
				return nil, fmt.Errorf("CSV column %q (mapped to %s) not in the header (columns: %s)", col, role, strings.Join(header, ", "))
			}
			pos[role] = i
		}
	} else {
		for role, names := range map[string][]string{
			"value":    {"value", "indicator", "ioc", "observable"},
			"type":     {"type", "ioc_type", "indicator_type"},
			"severity": {"severity"},
			"comment":  {"comment", "description", "info"},
		} {
			for _, n := range names {
				if i, ok := cols[n]; ok {
					pos[role] = i
					break
				}
			}
		}
		if pos["value"] < 0 {
			return nil, fmt.Errorf("CSV header has no value column (want one of value, indicator, ioc, observable, or set Columns: value=NAME); columns: %s", strings.Join(header, ", "))
		}
	}
	get := func(rec []string, role string) string {
		if i := pos[role]; i >= 0 && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, csvErr(err)
		}
		// Quotes are read leniently (stray quotes in comments are common),
		// so a quote that is never closed makes one field of the lines that
		// follow: say so, naming the line, instead of losing them silently.
		for i, f := range rec {
			if n := strings.Count(strings.TrimRight(f, "\r\n"), "\n"); n > 0 {
				fl, _ := cr.FieldPos(i)
				p.skipN(n, "line %d: a quoted field runs over the next %d line(s) (a missing or stray \"?); they were read as text, not as indicators", fl, n)
				break
			}
		}
		v := get(rec, "value")
		if v == "" {
			continue
		}
		t := opt.Type
		if ct := get(rec, "type"); ct != "" {
			t = ct
		}
		n, ok := classifyAs(v, t)
		if !ok && t != "" && typeClass(t) == ClassNone {
			n, ok = Classify(v) // an unknown type name: infer instead
		}
		if !ok {
			p.skip("line %d: %q is not an indicator", line, clip(v))
			continue
		}
		sev := opt.Severity
		if s := get(rec, "severity"); s != "" {
			if ps := lookup.ParseSeverity(s); ps != lookup.SevUnknown {
				sev = ps
			}
		}
		p.Indicators = append(p.Indicators, Indicator{Value: n, Severity: sev, Suffix: opt.Suffix, Line: line, Info: get(rec, "comment")})
	}
	return p, nil
}

func csvErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("line %d: %w", pe.Line, pe.Err)
	}
	return err
}

// clip shortens a value for an error message or a description, cutting
// at a character boundary (the output stays valid UTF-8).
func clip(s string) string {
	if len(s) > 80 {
		n := 77
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		return s[:n] + "..."
	}
	return s
}

// clipN keeps at most n bytes of s, cut at a character boundary.
func clipN(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// sniff guesses the format of a file from its name and first bytes.
func sniff(name string, head []byte) string {
	lname := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lname, ".csv"), strings.HasSuffix(lname, ".tsv"):
		return "csv"
	}
	h := bytes.TrimSpace(bytes.TrimPrefix(head, []byte("\ufeff")))
	if len(h) > 0 && (h[0] == '{' || h[0] == '[') {
		switch {
		case bytes.Contains(h, []byte(`"matching_attributes"`)) || (bytes.Contains(h, []byte(`"list"`)) && bytes.Contains(h, []byte(`"type"`)) && !bytes.Contains(h, []byte(`"Event"`)) && !bytes.Contains(h, []byte(`"objects"`))):
			return "warninglist"
		case bytes.Contains(h, []byte(`"Event"`)) || bytes.Contains(h, []byte(`"response"`)):
			return "misp"
		case bytes.Contains(h, []byte(`"objects"`)) || bytes.Contains(h, []byte(`"bundle"`)) || bytes.Contains(h, []byte(`"spec_version"`)):
			return "stix"
		}
		return "json"
	}
	// A file named *.json is JSON: content that is not (an HTML error
	// page saved under the feed's name, say) must fail to load with
	// "invalid JSON", not be read as a plain list of zero indicators.
	if strings.HasSuffix(lname, ".json") {
		return "badjson"
	}
	return "plain"
}
