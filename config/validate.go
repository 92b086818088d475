package config

import (
	"fmt"
	"regexp"
	"strings"
)

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// requiredArgs are the settings MSTICPy's validate_config requires per
// provider type.
var requiredArgs = map[string][]string{
	"otx":          {"AuthKey"},
	"virustotal":   {"AuthKey"},
	"xforce":       {"AuthKey", "ApiID"},
	"openpagerank": {"AuthKey"},
	"geoiplite":    {"AuthKey"},
	"ipstack":      {"AuthKey"},
	"riskiq":       {"AuthKey", "ApiID"},
	"intsights":    {"AuthKey"},
}

// Validate returns every problem at once: those found while loading plus the
// checks of MSTICPy's validate_config, adapted:
//
//   - provider entries: an entry with no settings or an empty Args is a
//     warning; the keys MSTICPy requires for well-known provider types
//     (AuthKey for OTX, VirusTotal, XForce, OpenPageRank, GeoIPLite, IPStack,
//     RiskIQ, IntSights; ApiID for XForce, RiskIQ) must be present and
//     non-empty (checked on the Provider type, so a second VirusTotal entry
//     under another name is checked too); a missing one is a warning (the
//     provider is not configured, as with an unset EnvironmentVar or a Key
//     Vault reference, which loading already reported once);
//   - Sentinel workspaces need GUID WorkspaceId and TenantId (error) and a
//     Default workspace when there are several (warning); a missing Sentinel
//     section is not a problem in msticgo;
//   - AzureSentinel_* data entries need GUID WorkspaceId/TenantId.
//
// Provider types are not checked here (config knows no registry): the CLI
// adds that check against the providers the binary has.
//
// Messages never include setting values.
func (c *Config) Validate() []Problem {
	out := append([]Problem(nil), c.Problems...)
	add := func(sev Severity, path string, line int, msg string) {
		out = append(out, Problem{File: c.Path, Path: path, Line: line, Severity: sev, Message: msg})
	}
	for _, sec := range [][]ProviderEntry{c.TIProviders, c.ContextProviders, c.DataProviders, c.OtherProviders} {
		for _, e := range sec {
			path := e.Section + "." + e.Name
			if len(e.Args) == 0 && len(e.Extra) == 0 && len(e.Ignored) == 0 && e.Description == "" && !e.Primary && e.Provider == e.Name {
				add(SevWarning, path, e.Line, "entry has no settings")
			}
			for _, key := range requiredArgs[strings.ToLower(e.Provider)] {
				s, ok := e.Arg(key)
				if !ok || (s.Resolved && strings.TrimSpace(s.Value) == "") {
					add(SevWarning, path+".Args", e.Line, fmt.Sprintf("missing or empty %s (required by %s); the provider is not configured", key, e.Provider))
				}
			}
			if e.Section == "DataProviders" && strings.HasPrefix(strings.ToLower(e.Name), "azuresentinel_") {
				for _, key := range []string{"WorkspaceId", "TenantId"} {
					s, ok := e.Arg(key)
					if !ok || (s.Resolved && !guidRE.MatchString(strings.TrimSpace(s.Value))) {
						add(SevError, path+".Args", e.Line, "invalid GUID for "+key)
					}
				}
			}
		}
	}
	if s := c.Sentinel; s != nil {
		hasDefault := false
		for _, w := range s.Workspaces {
			path := s.Key + ".Workspaces." + w.Name
			if w.Name == "Default" {
				hasDefault = true
			}
			if !guidRE.MatchString(strings.TrimSpace(w.WorkspaceID)) {
				add(SevError, path, w.Line, "invalid GUID for WorkspaceId")
			}
			if !guidRE.MatchString(strings.TrimSpace(w.TenantID)) {
				add(SevError, path, w.Line, "invalid GUID for TenantId")
			}
		}
		if len(s.Workspaces) == 0 {
			add(SevWarning, s.Key, s.Line, "no workspaces defined")
		} else if !hasDefault && len(s.Workspaces) > 1 {
			add(SevWarning, s.Key+".Workspaces", s.Line, "no Default workspace set")
		}
	}
	return out
}

// HasErrors reports whether any problem is an error.
func HasErrors(ps []Problem) bool {
	for _, p := range ps {
		if p.Severity == SevError {
			return true
		}
	}
	return false
}
