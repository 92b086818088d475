package feeds

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/registry"
)

// Name is the provider's registry name.
const Name = "Feeds"

// Provider is the offline feeds TI provider. It is safe for concurrent
// use; lookups read an immutable snapshot that a reload replaces
// atomically, so lookups in flight are never stopped or blocked.
type Provider struct {
	name     string
	settings *Settings
	log      *slog.Logger

	snap      atomic.Pointer[snapshot]
	nextCheck atomic.Int64 // unix nanos of the next change check
	reloading atomic.Bool
	mu        sync.Mutex // serialises reloads
}

// New reads the sources named in the settings and returns a ready provider.
// Sources that fail are reported (logged and in SourceStats); the others
// load. Only settings errors are returned. Log lines go to log as given
// (the registry factory's logger already names the config entry); nil
// discards them.
func New(ctx context.Context, name string, s *Settings, log *slog.Logger) (*Provider, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if name == "" {
		name = Name
	}
	p := &Provider{name: name, settings: s, log: log}
	if s.Embedded == "" && len(s.Feeds) == 0 && len(s.Warninglists) == 0 {
		return nil, fmt.Errorf("%s: no feeds configured (set Files, Feed1... or Embedded: default)", name)
	}
	snap := build(ctx, s)
	if why := snap.unusable(); why != "" && ctx.Err() == nil {
		// Every value would be "not found": not configured instead, with
		// the reason in each row (the engine's rule for a factory error).
		return nil, fmt.Errorf("%s: %s", name, why)
	}
	p.report(snap, nil)
	p.snap.Store(snap)
	p.nextCheck.Store(time.Now().Add(s.ReloadInterval).UnixNano())
	return p, nil
}

// report logs, in one line at WARN, the sources that failed to load, and
// at INFO each loaded source with skipped entries: a source already
// reported with the same result by the previous snapshot (old) is not
// repeated.
func (p *Provider) report(snap, old *snapshot) {
	seen := map[string]string{}
	if old != nil {
		for _, st := range old.stats {
			seen[st.Source] = st.Error + fmt.Sprint(st.Skipped)
		}
	}
	// failed feeds and failed warninglists are counted apart, each out of
	// its own kind (lookup.CountSources); the failures named are the ones
	// not already reported
	var failed, failedWL []string
	c := lookup.CountSources(snap.stats)
	for _, st := range snap.stats {
		if prev, ok := seen[st.Source]; ok && prev == st.Error+fmt.Sprint(st.Skipped) {
			continue
		}
		switch {
		case st.Error != "" && st.Kind == "feed":
			failed = append(failed, clipLong(st.Error))
		case st.Error != "":
			failedWL = append(failedWL, clipLong(st.Error))
		case st.Skipped > 0:
			first := ""
			if len(st.Problems) > 0 {
				first = st.Problems[0]
			}
			// The source loaded: a note, not a warning (headings in a
			// write-up, patterns the engine cannot evaluate). Load
			// failures stay warnings.
			p.log.Info("feed entries skipped", "source", st.Source, "skipped", st.Skipped, "first", first)
		}
	}
	if len(failed) > 0 {
		p.log.Warn(fmt.Sprintf("%d of %d feed sources not loaded: %s", len(failed), c.Feeds, strings.Join(failed, "; ")))
	}
	if len(failedWL) > 0 {
		p.log.Warn(fmt.Sprintf("%d of %d warninglists not loaded: %s", len(failedWL), c.Lists, strings.Join(failedWL, "; ")))
	}
	p.log.Debug("feeds loaded", "indicators", snap.ix.size(), "took", snap.took)
}

// clipLong keeps a log item short: at most 160 characters.
func clipLong(s string) string {
	if r := []rune(s); len(r) > 160 {
		return string(r[:159]) + "…"
	}
	return s
}

// Reload re-reads every source now and swaps the index in when done.
func (p *Provider) Reload(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	snap := build(ctx, p.settings)
	if err := ctx.Err(); err != nil {
		return err
	}
	old := p.snap.Swap(snap)
	p.report(snap, old)
	return nil
}

// maybeReload checks the files for changes at most once per interval and
// rebuilds in the background when one changed.
func (p *Provider) maybeReload() {
	if !p.settings.Reload {
		return
	}
	now := time.Now().UnixNano()
	next := p.nextCheck.Load()
	if now < next || !p.nextCheck.CompareAndSwap(next, now+int64(p.settings.ReloadInterval)) {
		return
	}
	if !p.reloading.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer p.reloading.Store(false)
		if sameStamps(stamps(p.settings), p.snap.Load().stamps) {
			return
		}
		p.log.Info("feed files changed: reloading")
		_ = p.Reload(context.Background())
	}()
}

// SupportedTypes implements lookup.TypeSupporter.
func (p *Provider) SupportedTypes() []string { return append([]string(nil), supportedTypes...) }

// Limits implements lookup.Limiter: lookups are local and cheap.
func (p *Provider) Limits() lookup.Limits {
	return lookup.Limits{Concurrency: 64, Timeout: 5 * time.Second}
}

// SourceStats implements lookup.StatsReporter.
func (p *Provider) SourceStats() []lookup.SourceStat {
	s := p.snap.Load()
	out := make([]lookup.SourceStat, len(s.stats))
	copy(out, s.stats)
	sortStats(out)
	return out
}

// Size is the number of indexed feed indicators.
func (p *Provider) Size() int { return p.snap.Load().ix.size() }

// LoadTime is how long the current index took to build.
func (p *Provider) LoadTime() time.Duration { return p.snap.Load().took }

// Match is one feed entry that matched a lookup.
type Match struct {
	Source   string `json:"source"`
	Line     int    `json:"line,omitempty"`
	Ref      string `json:"ref,omitempty"`
	How      string `json:"match"` // exact, network <cidr>, subdomain of <d>, url host <h>, url without query
	Severity string `json:"severity"`
	Info     string `json:"info,omitempty"`
	Score    int    `json:"score,omitempty"` // LOKI's score, when the list gives one

	sev lookup.Severity
}

// Lookup implements lookup.Provider.
func (p *Provider) Lookup(ctx context.Context, item lookup.Item) lookup.Result {
	p.maybeReload()
	t := item.Type
	v := item.Value
	if v == "" {
		v = item.Ioc
	}
	if t == "" {
		n, ok := Classify(v)
		if !ok {
			return lookup.Result{Status: lookup.StatusUnsupported, Details: "Type unknown not supported.", Message: "type unknown is not supported"}
		}
		t = n.Type
	}
	c := typeClass(t)
	if c == ClassNone {
		return lookup.Result{Status: lookup.StatusUnsupported, Details: "Type " + t + " not supported.", Message: "type " + t + " is not supported"}
	}
	n, ok := quickNorm(v, c)
	if !ok {
		n, ok = Normalise(v, t)
	}
	if !ok || n.IsCIDR {
		msg := fmt.Sprintf("%q is not a valid %s", clip(v), t)
		return lookup.Result{Status: lookup.StatusInvalid, Details: msg, Message: msg}
	}
	snap := p.snap.Load()
	matches := snap.matches(n)
	benign := snap.ben.match(n)
	return snap.result(matches, benign)
}

// maxMatches caps the matches reported for one lookup.
const maxMatches = 32

// matches collects every feed entry matching n (URLs also by their
// query-less form and by their host).
func (s *snapshot) matches(n Normalised) []Match {
	var out []Match
	collect := func(how string) matchFunc {
		return func(h int32, want, key string) bool {
			for e := h; e >= 0; e = s.ix.entries[e].next {
				if want != "" && s.ix.key(&s.ix.entries[e]) != want {
					continue
				}
				if len(out) == maxMatches {
					return false
				}
				out = append(out, s.toMatch(e, how, key))
			}
			return true
		}
	}
	s.ix.match(n, collect(""))
	if n.Class == ClassURL {
		if q := stripQuery(n.Value); q != n.Value && len(out) == 0 {
			s.ix.match(Normalised{Class: ClassURL, Value: q}, collect("url without query"))
		}
		if h := urlHost(n.Value); h != "" {
			if hn, ok := normIP(h); ok {
				s.ix.match(hn, collect("url host "+h))
			} else if d, ok := normDomain(h); ok {
				s.ix.match(Normalised{Class: ClassDomain, Value: d}, collect("url host "+d))
			}
		}
	}
	return out
}

func (s *snapshot) toMatch(ei int32, how, key string) Match {
	e := s.ix.entries[ei]
	m := Match{Source: s.names[e.src], Line: int(e.line), Severity: lookup.Severity(e.sev).String(), sev: lookup.Severity(e.sev)}
	if e.ref >= 0 {
		m.Ref = s.ix.strs[e.ref]
	}
	if e.info >= 0 {
		m.Info, m.Score = splitScore(s.ix.strs[e.info])
	}
	switch {
	case key == "":
	case e.kind == MatchCIDR:
		key = "network " + key
	case e.kind == MatchSuffix:
		key = "subdomain of " + key
	}
	switch {
	case how != "" && key != "":
		m.How = how + ", " + key
	case how != "":
		m.How = how
	case key != "":
		m.How = key
	default:
		m.How = "exact"
	}
	return m
}

// FeedResult describes a Feeds answer; its Map form is the RawResult.
type FeedResult struct {
	Matches     []Match  `json:"matches,omitempty"`
	KnownBenign []string `json:"known_benign,omitempty"`
}

// Map is the RawResult form: plain maps and lists, as table.Frame expects.
func (r *FeedResult) Map() map[string]any {
	out := map[string]any{}
	if len(r.Matches) > 0 {
		ms := make([]any, len(r.Matches))
		for i, m := range r.Matches {
			mm := map[string]any{"source": m.Source, "match": m.How, "severity": m.Severity}
			if m.Line > 0 {
				mm["line"] = int64(m.Line)
			}
			if m.Ref != "" {
				mm["ref"] = m.Ref
			}
			if m.Info != "" {
				mm["info"] = m.Info
			}
			if m.Score > 0 {
				mm["score"] = int64(m.Score)
			}
			ms[i] = mm
		}
		out["matches"] = ms
	}
	if len(r.KnownBenign) > 0 {
		bs := make([]any, len(r.KnownBenign))
		for i, b := range r.KnownBenign {
			bs[i] = b
		}
		out["known_benign"] = bs
	}
	return out
}

// result turns matches and warninglist hits into a lookup result.
func (s *snapshot) result(matches []Match, benign []string) lookup.Result {
	if len(matches) == 0 && len(benign) == 0 {
		return s.notFound
	}
	raw := (&FeedResult{Matches: matches, KnownBenign: benign}).Map()
	var b strings.Builder
	if len(benign) > 0 && (!s.annotate || len(matches) == 0) {
		b.WriteString("known benign: ")
		b.WriteString(strings.Join(benign, "; "))
		if len(matches) > 0 {
			b.WriteString(" (")
			b.WriteString(strconv.Itoa(len(matches)))
			b.WriteString(" feed match(es) suppressed: ")
			b.WriteString(matches[0].Source)
			b.WriteString(")")
		}
		return lookup.Result{Status: lookup.StatusNotFound, Found: false, Severity: lookup.SevInformation, Details: b.String(), RawResult: raw}
	}
	sev := lookup.SevInformation
	for i, m := range matches {
		if m.sev > sev {
			sev = m.sev
		}
		if i < 3 {
			if i > 0 {
				b.WriteString("; ")
			}
			m.describe(&b)
		}
	}
	if len(matches) > 3 {
		b.WriteString("; +")
		b.WriteString(strconv.Itoa(len(matches) - 3))
		b.WriteString(" more")
	}
	if len(benign) > 0 {
		b.WriteString(" (also known benign: ")
		b.WriteString(strings.Join(benign, "; "))
		b.WriteString(")")
	}
	return lookup.Result{Status: lookup.StatusFound, Found: true, Severity: sev, Details: b.String(), RawResult: raw}
}

func (m Match) describe(b *strings.Builder) {
	b.WriteString(m.Source)
	if m.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(m.Line))
	}
	if m.Ref != "" {
		b.WriteByte(' ')
		b.WriteString(m.Ref)
	}
	if m.How != "exact" {
		b.WriteString(" [")
		b.WriteString(m.How)
		b.WriteByte(']')
	}
	if m.Info != "" {
		b.WriteString(": ")
		b.WriteString(clip(m.Info))
	}
	if m.Score > 0 {
		b.WriteString(" (score ")
		b.WriteString(strconv.Itoa(m.Score))
		b.WriteByte(')')
	}
}

// TypeCounts sums the indicator counts of every feed source per type.
func (p *Provider) TypeCounts() map[string]int {
	out := map[string]int{}
	for _, st := range p.snap.Load().stats {
		if st.Kind == "feed" {
			for k, v := range st.Counts {
				out[k] += v
			}
		}
	}
	return out
}

// SummaryLine is a one-line description of what is loaded, for listings.
func (p *Provider) SummaryLine() string {
	counts := p.TypeCounts()
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, counts[k])
	}
	lists := 0
	for _, st := range p.snap.Load().stats {
		if st.Kind == "warninglist" && st.Error == "" {
			lists++
		}
	}
	return fmt.Sprintf("%d indicators (%s), %d warninglists", p.Size(), strings.Join(parts, ", "), lists)
}

func init() {
	registry.MustRegister(registry.Registration{
		Kind:        registry.KindTI,
		Name:        Name,
		Description: "Offline threat-intel feeds: plain/LOKI lists, CSV, STIX 2.x, MISP events; MISP warninglists mark known-benign values",
		Source:      registry.Builtin,
		Factory: func(ctx context.Context, a registry.FactoryArgs) (any, error) {
			s, err := ParseSettings(a.Settings, a.BaseDir)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", a.Entry, err)
			}
			return New(ctx, a.Entry, s, a.Logger)
		},
		Meta: map[string]any{
			"types":   supportedTypes,
			"offline": true,
			"stats":   "per-source indicator counts via lookup.StatsReporter",
		},
	})
}

// Interface guards.
var (
	_ lookup.Provider      = (*Provider)(nil)
	_ lookup.TypeSupporter = (*Provider)(nil)
	_ lookup.Limiter       = (*Provider)(nil)
	_ lookup.StatsReporter = (*Provider)(nil)
)
