package data

import (
	"strings"

	"github.com/msticgo/msticgo/config"
	"github.com/msticgo/msticgo/registry"
)

// ConfigEntry finds the DataProviders entry that configures env: the entry
// named env (its Provider is then the driver to load), else an entry whose
// Provider resolves to the same driver as env. name is the name to load the
// driver under: the entry's Provider in the first case, env otherwise.
// ok is false when no entry applies (name is then env).
func ConfigEntry(reg *registry.Registry, entries []config.ProviderEntry, env string) (entry config.ProviderEntry, name string, ok bool) {
	for _, e := range entries {
		if strings.EqualFold(e.Name, strings.TrimSpace(env)) {
			return e, e.Provider, true
		}
	}
	if reg == nil {
		reg = registry.Default
	}
	r, err := reg.Lookup(registry.KindData, env)
	if err != nil {
		return config.ProviderEntry{}, env, false
	}
	for _, e := range entries {
		if er, err := reg.Lookup(registry.KindData, e.Provider); err == nil && er.Name == r.Name {
			return e, env, true
		}
	}
	return config.ProviderEntry{}, env, false
}
