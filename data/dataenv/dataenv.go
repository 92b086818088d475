// Package dataenv owns MSTICPy's table of data environments: canonical
// names, their aliases (LogAnalytics → MSSentinel, ...), and the query
// language each one speaks. Query files name environments with these
// names; QueryProvider uses the table to pick the queries of a driver.
package dataenv

import (
	"sort"
	"strings"
)

// Env is one MSTICPy data environment.
type Env struct {
	Name    string   // canonical name
	Aliases []string // other names MSTICPy accepts for it
	// Dialect is the query language ("kql", "spl", "sql", "lucene",
	// "json" or "" for none/unknown).
	Dialect string
}

// envs follows MSTICPy's DataEnvironment enum (spec 2.1).
var envs = []Env{
	{Name: "MSSentinel", Aliases: []string{"AzureSentinel", "LogAnalytics", "MSSentinel_New"}, Dialect: "kql"},
	{Name: "Kusto", Aliases: []string{"AzureDataExplorer", "Kusto_New"}, Dialect: "kql"},
	{Name: "MSGraph", Aliases: []string{"SecurityGraph"}},
	{Name: "MDE", Aliases: []string{"MDATP"}, Dialect: "kql"},
	{Name: "LocalData"},
	{Name: "Splunk", Dialect: "spl"},
	{Name: "OTRF", Aliases: []string{"Mordor"}},
	{Name: "ResourceGraph", Dialect: "kql"},
	{Name: "Sumologic"},
	{Name: "M365D", Dialect: "kql"},
	{Name: "Cybereason", Dialect: "json"},
	{Name: "Elastic", Dialect: "lucene"},
	{Name: "OSQueryLogs", Aliases: []string{"OSQuery"}},
	{Name: "MSSentinel_Legacy", Aliases: []string{"MSSentinel_KQLM"}, Dialect: "kql"},
	{Name: "Kusto_Legacy", Aliases: []string{"Kusto_KQLM"}, Dialect: "kql"},
	{Name: "VelociraptorLogs", Aliases: []string{"Velociraptor"}},
	{Name: "M365DGraph", Dialect: "kql"},
	{Name: "Prismacloud", Dialect: "json"},
	{Name: "OpenObserve", Dialect: "sql"},
	{Name: "MSSentinelSearch", Dialect: "kql"},
}

var index = func() map[string]*Env {
	m := map[string]*Env{}
	for i := range envs {
		e := &envs[i]
		m[strings.ToLower(e.Name)] = e
		for _, a := range e.Aliases {
			m[strings.ToLower(a)] = e
		}
	}
	return m
}()

// Lookup finds an environment by canonical name or alias. Unlike MSTICPy
// (exact, case-sensitive) the match ignores case.
func Lookup(name string) (Env, bool) {
	e, ok := index[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return Env{}, false
	}
	return *e, true
}

// Canonical returns the canonical name of a known environment, or name
// itself (trimmed) when it is not one of MSTICPy's.
func Canonical(name string) string {
	if e, ok := Lookup(name); ok {
		return e.Name
	}
	return strings.TrimSpace(name)
}

// FromMetadata reads one entry of a query file's metadata.data_environments
// as MSTICPy does: a dotted entry ("DataEnvironment.LogAnalytics") uses its
// second segment; the result is canonicalised.
func FromMetadata(entry string) string {
	entry = strings.TrimSpace(entry)
	if parts := strings.Split(entry, "."); len(parts) > 1 {
		entry = parts[1]
	}
	return Canonical(entry)
}

// Names lists the canonical names in byte order, as MSTICPy's
// list_data_environments does.
func Names() []string {
	out := make([]string, 0, len(envs))
	for _, e := range envs {
		out = append(out, e.Name)
	}
	sort.Strings(out)
	return out
}

// AllNames lists canonical names and aliases, sorted case-insensitively.
func AllNames() []string {
	var out []string
	for _, e := range envs {
		out = append(out, e.Name)
		out = append(out, e.Aliases...)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out
}
