// Package feeds owns the offline threat-intelligence provider "Feeds": it
// reads indicator files (plain lists, LOKI HASH;COMMENT lists, CSV with a
// column mapping, STIX 2.0/2.1 bundles and MISP events) and MISP
// warninglists into one in-memory index that is built once, shared by every
// lookup and swapped atomically when its files change. It registers itself
// in registry.Default under kind ti, name "Feeds". An embedded default set
// (our own made-up indicators plus small warninglists) lets msticgo look
// indicators up with no configuration, key or network.
//
// See docs/feeds.md for the settings, the formats and the matching rules.
package feeds
