package lookup

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/msticgo/msticgo/config"
	"github.com/msticgo/msticgo/registry"
)

// NoLoad is MSTICPy's Provider value that keeps an entry from loading.
const NoLoad = "--no-load--"

// EntrySpecs turns config entries (TIProviders or ContextProviders) into
// specs without provider instances: name, type, primary flag, the "not
// configured" reason, limit overrides from Args and the description.
// Entries with Provider "--no-load--" are left out. A bad limit setting is
// an error naming the entry and the key.
func EntrySpecs(entries []config.ProviderEntry) ([]ProviderSpec, error) {
	var out []ProviderSpec
	for _, e := range entries {
		if e.Provider == NoLoad {
			continue
		}
		vals, _ := e.Settings()
		lim, err := LimitsFromArgs(vals)
		if err != nil {
			return nil, fmt.Errorf("%s entry %q: %w", e.Section, e.Name, err)
		}
		out = append(out, ProviderSpec{
			Name: e.Name, Kind: e.Provider, Primary: e.Primary, Limits: lim, Description: e.Description,
			NotConfigured: strings.TrimPrefix(e.Status, "not configured: "),
		})
	}
	return out, nil
}

// Build creates the provider instance of each spec that is configured,
// through the registry: reg.Lookup(kind, spec.Kind), then its Factory with
// the entry's resolved settings. entries are the config entries the specs
// came from (matched by name). An unknown provider type, a factory error or
// an instance that is not a lookup.Provider is an error naming the entry.
// Specs that are not configured keep a nil Provider: they make no call.
func Build(ctx context.Context, reg *registry.Registry, kind registry.Kind, specs []ProviderSpec,
	entries []config.ProviderEntry, baseDir string, logger *slog.Logger) ([]ProviderSpec, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	out := make([]ProviderSpec, len(specs))
	for i, s := range specs {
		out[i] = s
		if s.NotConfigured != "" || s.Provider != nil {
			continue
		}
		var entry *config.ProviderEntry
		for j := range entries {
			if entries[j].Name == s.Name {
				entry = &entries[j]
				break
			}
		}
		r, err := reg.Lookup(kind, s.Kind)
		if err != nil {
			return nil, fmt.Errorf("provider entry %q: %w", s.Name, err)
		}
		args := registry.FactoryArgs{LoadedAs: s.Kind, Entry: s.Name, BaseDir: baseDir,
			Logger: logger.With("provider", s.Name), Settings: map[string]string{}, Secrets: map[string]bool{}}
		if entry != nil {
			args.Settings, args.Secrets = entry.Settings()
		}
		inst, err := r.Factory(ctx, args)
		if err != nil {
			return nil, fmt.Errorf("provider entry %q (%s): %w", s.Name, r.Name, err)
		}
		p, ok := inst.(Provider)
		if !ok {
			return nil, fmt.Errorf("provider entry %q: %s provider %q does not implement lookups (got %T)", s.Name, kind, r.Name, inst)
		}
		out[i].Provider = p
	}
	return out, nil
}

// FromConfig selects entries by name (Select rules: primaries when names
// is empty) and builds their providers.
func FromConfig(ctx context.Context, reg *registry.Registry, kind registry.Kind, entries []config.ProviderEntry,
	names []string, baseDir string, logger *slog.Logger) ([]ProviderSpec, error) {
	specs, err := EntrySpecs(entries)
	if err != nil {
		return nil, err
	}
	sel, err := Select(specs, names)
	if err != nil {
		return nil, err
	}
	return Build(ctx, reg, kind, sel, entries, baseDir, logger)
}
