package data

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/msticgo/msticgo/config"
	"github.com/msticgo/msticgo/registry"
)

// ConfigEntry finds the DataProviders entry that configures env: the entry
// named env (its Provider is then the driver to load), else the one entry
// whose Provider resolves to the same driver as env. name is the name to
// load the driver under: the entry's Provider in the first case, env
// otherwise. ok is false when no entry applies (name is then env). Several
// entries for that driver, none named env, is an error naming them: the
// caller must pick one by its entry name (nothing is chosen silently).
func ConfigEntry(reg *registry.Registry, entries []config.ProviderEntry, env string) (entry config.ProviderEntry, name string, ok bool, err error) {
	for _, e := range entries {
		if strings.EqualFold(e.Name, strings.TrimSpace(env)) {
			return e, e.Provider, true, nil
		}
	}
	if reg == nil {
		reg = registry.Default
	}
	r, lerr := reg.Lookup(registry.KindData, env)
	if lerr != nil {
		return config.ProviderEntry{}, env, false, nil
	}
	var found []config.ProviderEntry
	for _, e := range entries {
		if er, err := reg.Lookup(registry.KindData, e.Provider); err == nil && er.Name == r.Name {
			found = append(found, e)
		}
	}
	switch len(found) {
	case 0:
		return config.ProviderEntry{}, env, false, nil
	case 1:
		return found[0], env, true, nil
	}
	names := make([]string, len(found))
	for i, e := range found {
		names[i] = e.Name
	}
	return config.ProviderEntry{}, env, false, fmt.Errorf("%w: DataProviders entries %s all configure the %s driver and none is named %s; choose one by its entry name (e.g. %s)",
		ErrSettings, strings.Join(names, ", "), r.Name, strings.TrimSpace(env), names[0])
}

// SectionSettings adds the settings of a top-level config section that a
// driver's registration names (Meta "config_section"; LocalData reads
// MSTICPy's top-level LocalData.data_paths) for keys its DataProviders
// entry does not set. A list becomes one value joined by ";". Without
// such a section it returns settings unchanged.
func SectionSettings(settings map[string]string, cfg *config.Config, reg *registry.Registration) map[string]string {
	section, _ := reg.Meta["config_section"].(string)
	if section == "" || cfg == nil {
		return settings
	}
	n, ok := cfg.Unknown[section]
	if !ok || n == nil || n.Kind != yaml.MappingNode {
		return settings
	}
	out := make(map[string]string, len(settings)+len(n.Content)/2)
	for k, v := range settings {
		out[k] = v
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		if _, set := out[k]; set {
			continue
		}
		switch v.Kind {
		case yaml.ScalarNode:
			out[k] = v.Value
		case yaml.SequenceNode:
			var items []string
			for _, it := range v.Content {
				if it.Kind == yaml.ScalarNode {
					items = append(items, it.Value)
				}
			}
			out[k] = strings.Join(items, ";")
		}
	}
	return out
}
