package lookup

// SourceStat describes one source of an offline provider (a feed file or a
// warninglist): what it holds and what went wrong while reading it. The
// `ti providers` listing shows these for providers that implement
// StatsReporter.
type SourceStat struct {
	Source   string         // file path or "embedded:<name>"
	Kind     string         // "feed" or "warninglist"
	Format   string         // plain, loki, csv, stix, misp, warninglist
	Counts   map[string]int // indicators per type (ipv4, dns, url, md5_hash...)
	Total    int            // indicators (or list entries) loaded from the source
	Skipped  int            // entries skipped (not an indicator, pattern not evaluable...)
	Problems []string       // the first few skip reasons, with line or object id
	Error    string         // set when the whole source failed to load
}

// StatsReporter is an optional ability of offline providers: per-source
// indicator counts for listings.
type StatsReporter interface {
	SourceStats() []SourceStat
}

// SourceCounts sums up the sources of an offline provider. Feed sources and
// warninglists are counted apart, each out of its own kind, as the load
// warnings, the "not found" note and the listings report them.
type SourceCounts struct {
	Feeds       int // feed sources (Kind "feed")
	FailedFeeds int // feed sources that failed to load
	Lists       int // warninglists (Kind "warninglist")
	FailedLists int // warninglists that failed to load
	Indicators  int // indicators loaded from the feed sources
}

// CountSources counts the feed sources and warninglists in stats, and the
// ones of each kind that failed to load.
func CountSources(stats []SourceStat) SourceCounts {
	var c SourceCounts
	for _, st := range stats {
		if st.Kind == "warninglist" {
			c.Lists++
			if st.Error != "" {
				c.FailedLists++
			}
			continue
		}
		c.Feeds++
		c.Indicators += st.Total
		if st.Error != "" {
			c.FailedFeeds++
		}
	}
	return c
}
