// Package enrich owns the enrichment of query results with threat
// intelligence: it picks the columns that hold indicators (named, or every
// column whose values type as indicators), looks each distinct value up once
// through a lookup engine, and adds to every row its highest severity, the
// providers that matched and a short detail. The lookup rows themselves are
// returned too, one per (distinct value, provider), so nothing is lost.
package enrich

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/msticgo/msticgo/ioc"
	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/table"
)

// Names of the columns added to every row. When the input already has a
// column of one of these names, none of its columns is replaced: the three
// added columns all take the first suffix that frees every one of them
// (TISeverity.1, TIMatched.1, TIDetail.1, then .2, ...), the way pandas
// names repeated columns; Result.Added has the names used.
const (
	ColSeverity = "TISeverity" // highest severity of any match, "" when nothing matched
	ColMatched  = "TIMatched"  // providers that matched, in provider order, comma-separated
	ColDetail   = "TIDetail"   // a short note per value with a match or a notable answer
)

// Looker is what enrichment needs of a lookup engine (*lookup.Engine).
type Looker interface {
	Rows(ctx context.Context, inputs []lookup.Input) ([]lookup.Row, lookup.Summary, error)
}

// Options say which columns to enrich.
type Options struct {
	// Columns are the names of the columns to enrich (case-insensitive).
	// Empty, or the single name "auto", means AutoColumns.
	Columns []string
	// DetailWidth cuts each note of TIDetail to this many characters
	// (default 120), in every output format: TIDetail is a short note;
	// Result.Lookups has the full answers.
	DetailWidth int
}

// Result is an enriched frame with the lookups behind it.
type Result struct {
	// Frame has the input's columns and rows, plus ColSeverity, ColMatched
	// and ColDetail (renamed when the input has those names: see Added);
	// rows in = rows out, in the same order.
	Frame *table.Frame
	// Added are the names of the three columns added, in the order
	// severity, matched, detail: ColSeverity, ColMatched, ColDetail, or
	// those names with the same ".N" suffix when the input has any of them.
	Added []string
	// Columns are the columns that were enriched.
	Columns []string
	// Lookups are the lookup rows, one per (distinct value, provider), in
	// order of first appearance of the value.
	Lookups []lookup.Row
	// Summary counts the lookups (Summary.Failed() > 0: some failed).
	Summary lookup.Summary
}

// ErrColumns is wrapped by errors in the column list (a ColumnError is
// one too).
var ErrColumns = errors.New("bad enrichment columns")

// ColumnError is a named column that the frame does not have.
type ColumnError struct {
	Column    string
	Available []string
}

func (e *ColumnError) Unwrap() error { return ErrColumns }

func (e *ColumnError) Error() string {
	return fmt.Sprintf("enrich: no column %q (columns: %s)", e.Column, strings.Join(e.Available, ", "))
}

// Frame enriches f (which it does not change) through lk.
func Frame(ctx context.Context, lk Looker, f *table.Frame, opt Options) (*Result, error) {
	idx, err := pickColumns(f, opt.Columns)
	if err != nil {
		return nil, err
	}
	width := opt.DetailWidth
	if width <= 0 {
		width = 120
	}
	cols := make([]string, len(idx))
	for i, ci := range idx {
		cols[i] = f.Columns[ci].Name
	}
	// Distinct indicators, in order of first appearance.
	x := newIndicators()
	pos := map[string]int{}
	var inputs []lookup.Input
	for _, row := range f.Rows {
		for _, ci := range idx {
			for _, v := range x.of(row[ci]) {
				if _, ok := pos[v]; !ok {
					pos[v] = len(inputs)
					inputs = append(inputs, lookup.Input{Value: v})
				}
			}
		}
	}
	var rows []lookup.Row
	var sum lookup.Summary
	if len(inputs) > 0 {
		rows, sum, err = lk.Rows(ctx, inputs)
		if err != nil {
			return nil, fmt.Errorf("enrich: %w", err)
		}
	}
	byInput := make([][]lookup.Row, len(inputs))
	for _, r := range rows {
		if r.Index >= 0 && r.Index < len(byInput) {
			byInput[r.Index] = append(byInput[r.Index], r)
		}
	}
	notes := make([][]note, len(inputs)) // computed once per distinct value
	for i, rs := range byInput {
		notes[i] = valueNotes(inputs[i].Value, rs, width)
	}

	added := addedNames(f)
	out := &table.Frame{Columns: slices.Clip(f.Columns)}
	out.Columns = append(out.Columns,
		table.Column{Name: added[0], Type: table.String},
		table.Column{Name: added[1], Type: table.String},
		table.Column{Name: added[2], Type: table.String})
	out.Rows = make([][]any, len(f.Rows))
	for ri, row := range f.Rows {
		best := lookup.SevUnknown
		found := false
		matched := map[int]string{}
		var detail []note
		seen := map[int]bool{}
		for _, ci := range idx {
			for _, v := range x.of(row[ci]) {
				i := pos[v]
				if seen[i] {
					continue
				}
				seen[i] = true
				for _, r := range byInput[i] {
					if r.Result.Found {
						found = true
						matched[r.ProviderIndex] = r.Provider
						if r.Result.Severity > best {
							best = r.Result.Severity
						}
					}
				}
				detail = append(detail, notes[i]...)
			}
		}
		sev := ""
		if found {
			sev = best.String()
		}
		// what matters first: matches (highest severity first), then
		// remarks on misses, failures, values not sent, providers not
		// configured; in column order within each
		slices.SortStableFunc(detail, func(a, b note) int { return a.rank - b.rank })
		texts := make([]string, len(detail))
		for i, d := range detail {
			texts[i] = d.text
		}
		nr := make([]any, 0, len(row)+3)
		nr = append(nr, row...)
		nr = append(nr, sev, joinProviders(matched), strings.Join(texts, "; "))
		out.Rows[ri] = nr
	}
	return &Result{Frame: out, Added: added, Columns: cols, Lookups: rows, Summary: sum}, nil
}

// addedNames are the names of the added columns: ColSeverity, ColMatched
// and ColDetail, or, when f has a column of any of those names, the three
// with the first suffix ".N" that none of f's columns has.
func addedNames(f *table.Frame) []string {
	taken := make(map[string]bool, len(f.Columns))
	for _, c := range f.Columns {
		taken[c.Name] = true
	}
	base := []string{ColSeverity, ColMatched, ColDetail}
	for n := 0; ; n++ {
		names := slices.Clone(base)
		if n > 0 {
			for i := range names {
				names[i] += "." + strconv.Itoa(n)
			}
		}
		if !slices.ContainsFunc(names, func(s string) bool { return taken[s] }) {
			return names
		}
	}
}

func joinProviders(m map[int]string) string {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = m[k]
	}
	return strings.Join(names, ", ")
}

// note is one note of TIDetail; rank orders the notes of a row (lower
// first).
type note struct {
	rank int
	text string
}

// Ranks of TIDetail notes: a match ranks by its severity (high first).
const (
	rankMatch         = 100 // minus the severity
	rankRemark        = 200 // a provider's remark on a miss (known benign)
	rankFailure       = 300
	rankNotSent       = 400 // not routable, invalid
	rankNotConfigured = 500
)

// valueNotes are the notes for one value: a match ("v Provider: detail"),
// a failure ("v Provider: timeout: ..."), a value that was not sent
// ("v: not routable: private") or a provider's remark on a miss (such as a
// known-benign listing). A plain "not found" or an unsupported type says
// nothing.
func valueNotes(v string, rs []lookup.Row, width int) []note {
	var out []note
	unsent := ""
	for _, r := range rs {
		res := r.Result
		var text string
		var rank int
		switch {
		case res.Found:
			text = r.Provider + ": " + short(res.Details)
			rank = rankMatch - int(res.Severity)
		case res.Status == lookup.StatusNotRoutable || res.Status == lookup.StatusInvalid:
			// the same for every provider: say it once
			if unsent == "" {
				unsent = res.Status.String()
				if m := strings.TrimPrefix(res.Message, "not routable: "); m != "" {
					unsent += ": " + m
				}
			}
			continue
		case res.Status == lookup.StatusNotFound:
			d := short(res.Details)
			if d == "" || strings.EqualFold(strings.TrimSuffix(d, "."), "not found") {
				continue
			}
			text = r.Provider + ": " + d
			rank = rankRemark
		case res.Status == lookup.StatusUnsupported:
			continue
		case res.Status == lookup.StatusNotConfigured:
			// the reason is the same for every value: callers say it once
			// (the CLI on stderr); here only the fact
			text = r.Provider + ": " + res.Status.String()
			rank = rankNotConfigured
		default:
			text = r.Provider + ": " + res.Status.String()
			if m := strings.TrimPrefix(res.Message, res.Status.String()+": "); m != "" {
				text += ": " + m
			}
			rank = rankFailure
		}
		out = append(out, note{rank, cut(v+" "+text, width)})
	}
	if unsent != "" {
		out = append(out, note{rankNotSent, cut(v+": "+unsent, width)})
	}
	return out
}

// short renders a provider's Details in one line.
func short(d any) string {
	switch x := d.(type) {
	case nil:
		return ""
	case string:
		return oneLine(x)
	}
	b, err := json.Marshal(d)
	if err != nil {
		return oneLine(fmt.Sprint(d))
	}
	return oneLine(string(b))
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func cut(s string, n int) string {
	if n <= 0 {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// indicators finds the indicators of cells, each distinct text once: a
// text that types as an indicator is one; any other text (a command line,
// a message) gives the indicators extracted from it (MSTICPy's IoCExtract),
// refanged, in order of appearance.
type indicators struct{ memo map[string][]string }

func newIndicators() *indicators { return &indicators{memo: map[string][]string{}} }

func (x *indicators) of(cell any) []string {
	texts := cellValues(cell)
	if len(texts) == 0 {
		return nil
	}
	var out []string
	for _, t := range texts {
		got, ok := x.memo[t]
		if !ok {
			if lookupTypes[ioc.Detect(t)] {
				got = []string{t}
			} else {
				for _, m := range ioc.Extract(t, ioc.WithTypes(extractTypes...)) {
					got = append(got, m.Value)
				}
			}
			x.memo[t] = got
		}
		out = append(out, got...)
	}
	return out
}

var extractTypes = []ioc.Type{ioc.IPv4, ioc.IPv6, ioc.DNS, ioc.URL, ioc.MD5, ioc.SHA1, ioc.SHA256, ioc.Email}

// cellValues are the indicator candidates of one cell: its text, or the
// text of each element of a list. Empty and nil cells give none.
func cellValues(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		if s := strings.TrimSpace(x); s != "" {
			return []string{s}
		}
		return nil
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, cellValues(e)...)
		}
		return out
	case []string:
		var out []string
		for _, e := range x {
			out = append(out, cellValues(e)...)
		}
		return out
	case bool, int, int64, float64, time.Time, map[string]any:
		return nil // numbers, flags, times and records are not indicators
	}
	if s := strings.TrimSpace(fmt.Sprint(v)); s != "" {
		return []string{s}
	}
	return nil
}

// pickColumns returns the indexes of the columns to enrich: those named
// (each once), or every indicator column (autoColumns), so columns that
// share a name are each enriched.
func pickColumns(f *table.Frame, names []string) ([]int, error) {
	if len(names) == 0 || (len(names) == 1 && strings.EqualFold(strings.TrimSpace(names[0]), "auto")) {
		return autoColumns(f), nil
	}
	var out []int
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if strings.EqualFold(n, "auto") {
			return nil, fmt.Errorf("enrich: %w: %q cannot be combined with column names", ErrColumns, n)
		}
		i := f.ColumnIndex(n)
		if i < 0 {
			return nil, &ColumnError{Column: n, Available: f.Names()}
		}
		if !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("enrich: %w: no column named", ErrColumns)
	}
	return out, nil
}

// lookupTypes are the observable types that make a column an indicator
// column for AutoColumns: what TI providers look up. Host names, paths and
// unknown text do not.
var lookupTypes = map[ioc.Type]bool{
	ioc.IPv4: true, ioc.IPv6: true, ioc.DNS: true, ioc.URL: true, ioc.MD5: true,
	ioc.SHA1: true, ioc.SHA256: true, ioc.FileHash: true, ioc.Email: true,
}

// autoSample is how many distinct values of a column AutoColumns reads.
const autoSample = 200

// AutoColumns are the columns whose values type as indicators: among the
// first distinct non-empty values of a text column (up to 200), at least
// four in five are IP addresses, domains, URLs, hashes or e-mail addresses.
// Columns of numbers, times and flags never qualify.
func AutoColumns(f *table.Frame) []string {
	idx := autoColumns(f)
	out := make([]string, len(idx))
	for i, ci := range idx {
		out[i] = f.Columns[ci].Name
	}
	return out
}

// autoColumns is AutoColumns by column index.
func autoColumns(f *table.Frame) []int {
	var out []int
	for ci, c := range f.Columns {
		switch c.Type {
		case table.Int, table.Float, table.Bool, table.Time:
			continue
		}
		seen := map[string]bool{}
		hits := 0
		for _, row := range f.Rows {
			if len(seen) >= autoSample {
				break
			}
			for _, v := range cellValues(row[ci]) {
				if seen[v] || len(seen) >= autoSample {
					continue
				}
				seen[v] = true
				if lookupTypes[ioc.Detect(v)] {
					hits++
				}
			}
		}
		if hits > 0 && hits*5 >= len(seen)*4 {
			out = append(out, ci)
		}
	}
	return out
}

// Describe says in one line which columns were enriched and how the
// lookups went, e.g. for a log line.
func (r *Result) Describe() string {
	return fmt.Sprintf("enriched %s: %s distinct values, %d lookups, %d failed",
		strings.Join(r.Columns, ", "), strconv.Itoa(r.Summary.Inputs), r.Summary.Rows, r.Summary.Failed())
}
