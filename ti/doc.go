// Package ti owns msticgo's threat-intelligence providers. The HTTP provider
// engine that turns a declarative YAML definition into a lookup.Provider
// lives in ti/httpprov; the built-in definitions (VirusTotal, OTX,
// AbuseIPDB, ... and the Tor exit-node list) are embedded in ti/builtin,
// which registers them into registry.Default when it is imported.
package ti
