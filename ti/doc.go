// Package ti is the namespace of msticgo's threat-intelligence providers and
// holds no code: ti/httpprov is the engine that turns a declarative YAML
// definition into a lookup.Provider; ti/builtin embeds the built-in
// definitions (VirusTotal, OTX, AbuseIPDB, ... and the Tor exit-node list)
// and registers them into registry.Default when imported; ti/feeds is the
// offline Feeds provider (STIX, MISP, CSV and plain lists, warninglists).
package ti
