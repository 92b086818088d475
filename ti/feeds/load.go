package feeds

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/msticgo/msticgo/lookup"
)

// source is one file to read.
type source struct {
	fsys    fs.FS // nil: the OS file system
	path    string
	display string
	kind    string // feed or warninglist
	spec    FeedSpec
}

// fileStamp identifies a file version for change detection.
type fileStamp struct {
	path  string
	size  int64
	mtime time.Time
}

// snapshot is one immutable, fully built state of the provider.
type snapshot struct {
	ix       *index
	ben      *benign
	names    []string // source display names, by source number
	stats    []lookup.SourceStat
	stamps   []fileStamp
	loaded   time.Time
	took     time.Duration
	annotate bool
	// notFound is the answer for a value no source lists: "Not found.",
	// plus a note when feed sources failed to load (the answer is then
	// only as good as the sources that did).
	notFound lookup.Result
}

// expand turns the settings into the list of files to read, in order.
// Folders are read non-recursively (hidden files and names starting with
// "_" are ignored, so a warninglist folder may hold _schema.json).
func expand(s *Settings) ([]source, []lookup.SourceStat) {
	var out []source
	var bad []lookup.SourceStat
	if s.Embedded != "" {
		out = append(out, embeddedSources(s.Embedded)...)
	}
	addPath := func(p, kind string, spec FeedSpec) {
		st, err := os.Stat(p)
		if err != nil {
			bad = append(bad, lookup.SourceStat{Source: p, Kind: kind, Error: p + ": " + cleanPathErr(err)})
			return
		}
		if !st.IsDir() {
			out = append(out, source{path: p, display: p, kind: kind, spec: spec})
			return
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			bad = append(bad, lookup.SourceStat{Source: p, Kind: kind, Error: p + ": " + cleanPathErr(err)})
			return
		}
		for _, e := range ents {
			n := e.Name()
			if e.IsDir() || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") {
				continue
			}
			if kind == "warninglist" && !strings.HasSuffix(strings.ToLower(n), ".json") {
				continue
			}
			fp := filepath.Join(p, n)
			out = append(out, source{path: fp, display: fp, kind: kind, spec: spec})
		}
	}
	for _, f := range s.Feeds {
		addPath(f.Path, "feed", f)
	}
	for _, w := range s.Warninglists {
		addPath(w, "warninglist", FeedSpec{})
	}
	return out, bad
}

// cleanPathErr says why a path could not be read, without Go's operation
// name ("stat", "open") and in words a user knows: "no such file or
// folder", "permission denied". The caller names the path.
func cleanPathErr(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or folder"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// stamps returns the change-detection stamps of the OS files behind the
// settings (embedded files never change).
func stamps(s *Settings) []fileStamp {
	srcs, bad := expand(s)
	var out []fileStamp
	for _, src := range srcs {
		if src.fsys != nil {
			continue
		}
		fs := fileStamp{path: src.path}
		if st, err := os.Stat(src.path); err == nil {
			fs.size, fs.mtime = st.Size(), st.ModTime()
		} else {
			fs.size = -1
		}
		out = append(out, fs)
	}
	for _, b := range bad {
		out = append(out, fileStamp{path: b.Source, size: -2})
	}
	return out
}

func sameStamps(a, b []fileStamp) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].path != b[i].path || a[i].size != b[i].size || !a[i].mtime.Equal(b[i].mtime) {
			return false
		}
	}
	return true
}

// build reads every source and builds a new snapshot. A source that fails
// is recorded in the stats (and logged by the caller); the others load.
func build(ctx context.Context, s *Settings) *snapshot {
	start := time.Now()
	snap := &snapshot{ix: newIndex(), annotate: s.Annotate, stamps: stamps(s)}
	srcs, bad := expand(s)
	var lists []*Warninglist
	for _, src := range srcs {
		if ctx.Err() != nil {
			break
		}
		st := lookup.SourceStat{Source: src.display, Kind: src.kind}
		data, err := readSource(src)
		if err != nil {
			st.Error = err.Error()
			snap.stats = append(snap.stats, st)
			continue
		}
		if src.kind == "warninglist" {
			st.Format = "warninglist"
			w, err := ParseWarninglist(data)
			if err != nil {
				st.Error = fmt.Sprintf("%s: %v", src.display, err)
			} else {
				lists = append(lists, w)
				st.Total = w.Size()
				st.Skipped = w.Skipped
				st.Problems = w.Problem
				st.Counts = map[string]int{w.Type: w.Size()}
				st.Source = src.display + " (" + w.Name + ")"
			}
			snap.stats = append(snap.stats, st)
			continue
		}
		p, err := parseFeed(src.display, data, src.spec)
		if err != nil {
			st.Error = fmt.Sprintf("%s: %v", src.display, err)
			snap.stats = append(snap.stats, st)
			continue
		}
		srcNo := len(snap.names)
		snap.names = append(snap.names, src.display)
		st.Format = p.Format
		st.Skipped = p.Skipped
		st.Problems = p.Problems
		st.Counts = map[string]int{}
		for _, in := range p.Indicators {
			if snap.ix.add(srcNo, in) {
				continue // the same value again (another line): counted once
			}
			k := in.Value.Type
			if in.Value.IsCIDR {
				k += "_cidr"
			}
			st.Counts[k]++
			st.Total++
		}
		if st.Total == 0 && st.Skipped > 0 {
			// Nothing but entries that are not indicators (a page of
			// prose, a file in the wrong format): a source that did not
			// load, not an empty feed that makes every value look clean.
			st.Error = fmt.Sprintf("%s: no indicator in it: %d %s skipped (first: %s)", src.display, st.Skipped, plural(st.Skipped, "entry", "entries"), firstProblem(st.Problems))
		}
		snap.stats = append(snap.stats, st)
	}
	snap.stats = append(snap.stats, bad...)
	snap.notFound = notFoundResult(snap.stats)
	snap.ix.seal()
	snap.ben = newBenign(lists)
	snap.loaded = time.Now()
	snap.took = time.Since(start)
	return snap
}

// notFoundResult is "Not found.", with a note naming the feed sources that
// failed to load, if any: "Not found. 1 of 3 feed sources did not load
// (feeds/x.txt)." Failed warninglists are not noted: they can only turn a
// "not found" into a hit, never hide one.
func notFoundResult(stats []lookup.SourceStat) lookup.Result {
	c := lookup.CountSources(stats)
	var failed, empty []string
	for _, st := range stats {
		if st.Kind != "feed" {
			continue
		}
		switch {
		case st.Error != "":
			failed = append(failed, st.Source)
		case st.Total == 0:
			empty = append(empty, st.Source)
		}
	}
	if c.FailedFeeds == 0 && c.Feeds > 0 && c.Indicators == 0 {
		// Only after a reload: New refuses such a snapshot.
		msg := fmt.Sprintf("Not found. The feed sources hold no indicator (%s).", joinNames(empty))
		return lookup.Result{Status: lookup.StatusNotFound, Severity: lookup.SevInformation, Details: msg}
	}
	if c.FailedFeeds == 0 {
		return lookup.Result{Status: lookup.StatusNotFound, Severity: lookup.SevInformation, Details: "Not found."}
	}
	msg := fmt.Sprintf("Not found. %d of %d feed sources did not load (%s).", c.FailedFeeds, c.Feeds, joinNames(failed))
	return lookup.Result{Status: lookup.StatusNotFound, Severity: lookup.SevInformation, Details: msg}
}

// joinNames is "a" or "a and 2 more".
func joinNames(names []string) string {
	if len(names) == 0 {
		return ""
	}
	s := names[0]
	if len(names) > 1 {
		s += fmt.Sprintf(" and %d more", len(names)-1)
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func firstProblem(p []string) string {
	if len(p) == 0 {
		return "none recorded"
	}
	return p[0]
}

// unusable is why a snapshot answers nothing at all ("" when it can): the
// settings name feed sources (or only warninglists) and not one of them
// loaded an indicator (each is missing, failed, or empty). Such an entry
// would answer "not found" for every value.
func (s *snapshot) unusable() string {
	var errs []string
	empty := false
	feeds, loaded, lists, listsLoaded := 0, 0, 0, 0
	for _, st := range s.stats {
		if st.Kind == "feed" {
			feeds++
			if st.Error == "" && st.Total > 0 {
				loaded++
			}
			if st.Error == "" && st.Total == 0 {
				empty = true
				errs = append(errs, st.Source+": no indicator in it")
			}
		} else {
			lists++
			if st.Error == "" {
				listsLoaded++
			}
		}
		if st.Error != "" {
			errs = append(errs, st.Error)
		}
	}
	if loaded > 0 || (feeds == 0 && listsLoaded > 0) {
		return ""
	}
	if len(errs) == 0 {
		return "no feed source loaded: the folders named hold no files"
	}
	if len(errs) > 3 {
		errs = append(errs[:3], fmt.Sprintf("and %d more", len(errs)-3))
	}
	if empty {
		// a feed file loaded and held nothing: "source loaded" would be untrue
		return "no feed indicator loaded: " + strings.Join(errs, "; ")
	}
	return "no feed source loaded: " + strings.Join(errs, "; ")
}

func readSource(src source) ([]byte, error) {
	if src.fsys != nil {
		return fs.ReadFile(src.fsys, src.path)
	}
	b, err := os.ReadFile(src.path)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", src.display, cleanPathErr(err))
	}
	return b, nil
}

// parseFeed parses one feed file's bytes in its configured or detected format.
func parseFeed(name string, data []byte, spec FeedSpec) (*parsed, error) {
	opt := fileOptions{Format: spec.Format, Severity: spec.Severity, Suffix: spec.DomainMatch != "exact", Type: spec.Type}
	if opt.Severity == lookup.SevUnknown {
		opt.Severity = lookup.SevHigh
	}
	if spec.Columns != "" {
		m, err := parseColumns(spec.Columns)
		if err != nil {
			return nil, err
		}
		opt.Columns = m
	}
	format := opt.Format
	if format == "" {
		head := data
		if len(head) > 4096 {
			head = head[:4096]
		}
		format = sniff(name, head)
		// Columns makes a text file CSV whatever its name; a file whose
		// content is JSON (STIX, MISP) keeps its format, so one shared
		// Columns does not break the JSON files beside the CSVs.
		if spec.Columns != "" && format == "plain" {
			format = "csv"
		}
	}
	switch format {
	case "plain", "loki":
		return parsePlain(bytes.NewReader(data), opt)
	case "csv":
		return parseCSV(bytes.NewReader(data), opt)
	case "stix":
		return parseSTIX(data, opt)
	case "misp":
		return parseMISP(data, opt)
	case "warninglist":
		return nil, errors.New("this is a MISP warninglist: list it under Warninglists, not as a feed")
	case "badjson":
		return nil, notJSON(data)
	default:
		if !json.Valid(bytes.TrimPrefix(data, []byte("\ufeff"))) {
			return nil, notJSON(data)
		}
		return nil, errors.New("JSON that is neither a STIX bundle nor a MISP event (set its Format to stix or misp)")
	}
}

// notJSON is the error for a file that should be JSON and is not:
// "line 1: invalid JSON: ...", as for a STIX or MISP file that does not parse.
func notJSON(data []byte) error {
	var v any
	err := json.Unmarshal(data, &v)
	if err == nil {
		err = errors.New("not a JSON object or list")
	}
	return jsonErr(data, err)
}

// sortStats orders stats by kind then source for stable listings.
func sortStats(st []lookup.SourceStat) {
	sort.SliceStable(st, func(i, j int) bool { return st[i].Kind < st[j].Kind })
}
