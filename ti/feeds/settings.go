package feeds

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/msticgo/msticgo/lookup"
)

// Settings is the decoded configuration of a Feeds provider.
type Settings struct {
	Feeds        []FeedSpec
	Warninglists []string // files or folders
	Embedded     string   // name of an embedded set ("default") or ""
	// Annotate keeps a feed hit a hit when a warninglist also lists the
	// value (the row then says so); the default is to suppress it.
	Annotate       bool
	Reload         bool          // check files for changes (default true)
	ReloadInterval time.Duration // how often, at most (default 10s)

	warninglistKey string // the Args key that named the warninglists
}

// MissingPath is a feed or warninglist path of the settings that does not
// exist, with the Args key that names it.
type MissingPath struct {
	Key  string // Files, Feed2, Warninglists, ... as written in the config
	Path string // resolved against the config's folder
	Why  string // "no such file or folder", "permission denied", ...
	// Warninglist is true for a Warninglists path.
	Warninglist bool
}

// Missing lists the feed and warninglist paths that cannot be read now,
// for configuration checks (msticgo config validate): the same paths the
// provider would try to load, in settings order.
func (s *Settings) Missing() []MissingPath {
	var out []MissingPath
	check := func(key, p string, wl bool) {
		if _, err := os.Stat(p); err != nil {
			out = append(out, MissingPath{Key: key, Path: p, Why: cleanPathErr(err), Warninglist: wl})
		}
	}
	for _, f := range s.Feeds {
		check(f.Key, f.Path, false)
	}
	for _, w := range s.Warninglists {
		check(s.warninglistKey, w, true)
	}
	return out
}

// FeedSpec is one feed file (or folder of feed files) and its options.
type FeedSpec struct {
	Path        string
	Format      string // "" (detect), plain, loki, csv, stix, misp
	Columns     string // CSV column mapping
	Severity    lookup.Severity
	Type        string // force this ioc type for plain lists and CSV rows without one
	DomainMatch string // suffix (default) or exact
	Key         string // the Args key that named the file: Files, Feed2, ...
}

var (
	numbered = regexp.MustCompile(`(?i)^feed(\d+)(format|columns|severity|type|domainmatch)?$`)
	formats  = map[string]bool{"": true, "plain": true, "loki": true, "csv": true, "stix": true, "misp": true}
)

// splitList splits a list setting on ';' and new lines.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '\n' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// isLimitKey reports whether k is one of the limit settings other entries
// take in their Args (lookup.LimitArgs).
func isLimitKey(k string) bool {
	for _, l := range lookup.LimitArgs {
		if strings.EqualFold(k, l) {
			return true
		}
	}
	return false
}

// ParseSettings decodes a provider's Args. Keys are matched
// case-insensitively; an unknown key is an error naming it. Relative paths
// are resolved against baseDir.
func ParseSettings(args map[string]string, baseDir string) (*Settings, error) {
	s := &Settings{Reload: true, ReloadInterval: 10 * time.Second}
	def := FeedSpec{Severity: lookup.SevHigh, DomainMatch: "suffix"}
	type numberedSpec struct {
		spec FeedSpec
		set  map[string]bool
	}
	nums := map[int]*numberedSpec{}
	var files, fileKeys []string
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	resolve := func(p string) string {
		if p == "" || filepath.IsAbs(p) || baseDir == "" {
			return p
		}
		return filepath.Join(baseDir, p)
	}
	for _, k := range keys {
		v := strings.TrimSpace(args[k])
		lk := strings.ToLower(strings.TrimSpace(k))
		var err error
		switch lk {
		case "files", "feeds":
			for _, f := range splitList(v) {
				files, fileKeys = append(files, f), append(fileKeys, k)
			}
		case "warninglists":
			for _, p := range splitList(v) {
				s.Warninglists = append(s.Warninglists, resolve(p))
			}
			s.warninglistKey = k
		case "embedded":
			switch strings.ToLower(v) {
			case "", "none", "false", "no", "off":
				s.Embedded = ""
			case "default", "true", "yes", "on":
				s.Embedded = "default"
			default:
				return nil, fmt.Errorf("setting %s: unknown embedded set %q (want default or none)", k, v)
			}
		case "warninglistmode":
			switch strings.ToLower(v) {
			case "", "suppress":
				s.Annotate = false
			case "annotate":
				s.Annotate = true
			default:
				return nil, fmt.Errorf("setting %s: %q (want suppress or annotate)", k, v)
			}
		case "reload":
			switch strings.ToLower(v) {
			case "", "auto", "true", "yes", "on":
				s.Reload = true
			case "off", "false", "no", "manual":
				s.Reload = false
			default:
				return nil, fmt.Errorf("setting %s: %q (want auto or off)", k, v)
			}
		case "reloadinterval":
			d, perr := time.ParseDuration(v)
			if perr != nil || d <= 0 {
				return nil, fmt.Errorf("setting %s: %q is not a positive duration such as 30s", k, v)
			}
			s.ReloadInterval = d
		case "format", "columns", "severity", "type", "domainmatch":
			err = setOption(&def, lk, v)
		default:
			m := numbered.FindStringSubmatch(lk)
			if m == nil && isLimitKey(k) {
				return nil, fmt.Errorf("setting %q does not apply to Feeds: its lookups are local, with no rate, quota, timeout or retries to set (remove it)", k)
			}
			if m == nil {
				return nil, fmt.Errorf("unknown setting %q (known: Files, FeedN, FeedNFormat, FeedNColumns, FeedNSeverity, FeedNType, FeedNDomainMatch, Format, Columns, Severity, Type, DomainMatch, Warninglists, Embedded, WarninglistMode, Reload, ReloadInterval)", k)
			}
			n, _ := strconv.Atoi(m[1])
			ns := nums[n]
			if ns == nil {
				ns = &numberedSpec{set: map[string]bool{}}
				nums[n] = ns
			}
			if m[2] == "" {
				ns.spec.Path, ns.spec.Key = v, k
			} else {
				ns.set[m[2]] = true
				err = setOption(&ns.spec, m[2], v)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("setting %s: %w", k, err)
		}
	}
	for i, f := range files {
		spec := def
		spec.Path, spec.Key = resolve(f), fileKeys[i]
		s.Feeds = append(s.Feeds, spec)
	}
	order := make([]int, 0, len(nums))
	for n := range nums {
		order = append(order, n)
	}
	sort.Ints(order)
	for _, n := range order {
		ns := nums[n]
		if ns.spec.Path == "" {
			return nil, fmt.Errorf("settings give options for Feed%d but no Feed%d file", n, n)
		}
		spec := def
		spec.Path, spec.Key = resolve(ns.spec.Path), ns.spec.Key
		for opt := range ns.set {
			switch opt {
			case "format":
				spec.Format = ns.spec.Format
			case "columns":
				spec.Columns = ns.spec.Columns
			case "severity":
				spec.Severity = ns.spec.Severity
			case "type":
				spec.Type = ns.spec.Type
			case "domainmatch":
				spec.DomainMatch = ns.spec.DomainMatch
			}
		}
		s.Feeds = append(s.Feeds, spec)
	}
	return s, nil
}

func setOption(f *FeedSpec, opt, v string) error {
	switch opt {
	case "format":
		v = strings.ToLower(v)
		if v == "auto" {
			v = ""
		}
		if !formats[v] {
			return fmt.Errorf("unknown format %q (want plain, loki, csv, stix, misp or auto)", v)
		}
		f.Format = v
	case "columns":
		if _, err := parseColumns(v); err != nil {
			return err
		}
		f.Columns = v
	case "severity":
		sev := lookup.ParseSeverity(v)
		if sev == lookup.SevUnknown {
			return fmt.Errorf("unknown severity %q (want information, warning or high)", v)
		}
		f.Severity = sev
	case "type":
		if v != "" && typeClass(v) == ClassNone {
			return fmt.Errorf("unknown type %q (want one of %s)", v, strings.Join(supportedTypes, ", "))
		}
		f.Type = strings.ToLower(v)
	case "domainmatch":
		switch strings.ToLower(v) {
		case "suffix", "subdomains":
			f.DomainMatch = "suffix"
		case "exact":
			f.DomainMatch = "exact"
		default:
			return fmt.Errorf("domain match %q (want suffix or exact)", v)
		}
	}
	return nil
}
