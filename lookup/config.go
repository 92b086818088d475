package lookup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/msticgo/msticgo/config"
	"github.com/msticgo/msticgo/registry"
)

// NoLoad is MSTICPy's Provider value that keeps an entry from loading.
const NoLoad = "--no-load--"

// EntrySpecs turns config entries (TIProviders or ContextProviders) into
// specs without provider instances: name, type, primary flag, the "not
// configured" reason, limit overrides from Args, the description and the
// cache and quota identities (see ProviderSpec.CacheID and QuotaID).
// Entries with Provider "--no-load--" are left out. A bad limit setting
// (Timeout: soon) makes that entry not configured, with the reason naming
// the key: one bad entry never stops the others. The error is reserved for
// failures that are not about one entry (there are none today).
func EntrySpecs(entries []config.ProviderEntry) ([]ProviderSpec, error) {
	var out []ProviderSpec
	for _, e := range entries {
		if e.Provider == NoLoad {
			continue
		}
		vals, secret := e.Settings()
		nc := strings.TrimPrefix(e.Status, "not configured: ")
		lim, err := LimitsFromArgs(vals)
		var bad []string
		if err != nil {
			bad = strings.Split(err.Error(), "\n")
			if nc == "" {
				nc = strings.Join(bad, "; ")
			}
		}
		cacheID, quotaID := entryIdentities(e.Name, e.Provider, vals, secret)
		out = append(out, ProviderSpec{
			Name: e.Name, Kind: e.Provider, Primary: e.Primary, Limits: lim, Description: e.Description,
			NotConfigured: nc, SettingProblems: bad, CacheID: cacheID, QuotaID: quotaID,
		})
	}
	return out, nil
}

// Build creates the provider instance of each spec that is configured,
// through the registry: reg.Lookup(kind, spec.Kind), then its Factory with
// the entry's resolved settings. entries are the config entries the specs
// came from (matched by name). One bad entry never stops the others: an
// unknown provider type, a factory error (a missing or empty required
// setting) or an instance that is not a lookup.Provider makes that spec
// not configured, with the reason in NotConfigured. Specs that are not
// configured keep a nil Provider: they make no call. The error is reserved
// for failures that are not about one entry (there are none today).
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
			out[i].NotConfigured = UnknownTypeReason(s.Kind, reg.Names(kind))
			continue
		}
		args := registry.FactoryArgs{LoadedAs: s.Kind, Entry: s.Name, BaseDir: baseDir,
			Logger: logger.With("provider", s.Name), Settings: map[string]string{}, Secrets: map[string]bool{}}
		if entry != nil {
			args.Settings, args.Secrets = entry.Settings()
			args.Proxies = entry.Proxies
			args.HTTPTimeout = time.Duration(entry.HTTPTimeout * float64(time.Second))
		}
		inst, err := r.Factory(ctx, args)
		if err != nil {
			// the entry name is in the row already: not again in the reason
			out[i].NotConfigured = strings.TrimPrefix(FactoryReason(err), s.Name+": ")
			continue
		}
		p, ok := inst.(Provider)
		if !ok {
			out[i].NotConfigured = fmt.Sprintf("%s provider %q does not implement lookups (got %T)", kind, r.Name, inst)
			continue
		}
		out[i].Provider = p
		// the provider's code (a plugin file, its version) and the folder
		// relative paths resolve against also decide its answers
		out[i].CacheID = refineCacheID(s.CacheID, r.Source.String(), r.Version, baseDir)
	}
	return out, nil
}

// UnknownTypeReason is the not-configured reason of an entry whose
// Provider type is not registered: `unknown provider type "X"`, with the
// closest known name when there is one.
func UnknownTypeReason(typ string, known []string) string {
	msg := fmt.Sprintf("unknown provider type %q", typ)
	if sg := registry.Suggest(typ, known); sg != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", sg)
	} else {
		msg += " (msticgo providers list shows the known types)"
	}
	return msg
}

// FactoryReason is the not-configured reason of an entry whose factory
// failed: the error's NotConfiguredReason() when it has one (for example
// "missing required setting AuthKey"), else its text without a leading
// "not configured: ". Factories never put setting values in errors.
func FactoryReason(err error) string {
	var nc interface{ NotConfiguredReason() string }
	if errors.As(err, &nc) {
		if r := nc.NotConfiguredReason(); r != "" {
			return r
		}
	}
	msg := err.Error()
	if i := strings.Index(msg, "not configured: "); i >= 0 {
		msg = msg[i+len("not configured: "):]
	}
	return msg
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
		var ue *UnknownNameError
		if errors.As(err, &ue) {
			// A provider type by that name exists: as in MSTICPy, it is
			// used only through a config entry; say so.
			if r, rerr := reg.Lookup(kind, ue.Name); rerr == nil {
				ue.Type, ue.Section = r.Name, "TIProviders"
				if kind == registry.KindContext {
					ue.Section = "ContextProviders"
				}
				for _, s := range specs {
					if o, err := reg.Lookup(kind, s.Kind); err == nil && o == r {
						ue.UsedBy = append(ue.UsedBy, s.Name)
					}
				}
			} else if registry.Suggest(ue.Name, ue.Loaded) == "" {
				// a misspelt provider type with no entry of its own
				ue.TypeSuggestion = registry.Suggest(ue.Name, reg.Names(kind))
				ue.Section = "TIProviders"
				if kind == registry.KindContext {
					ue.Section = "ContextProviders"
				}
			}
		}
		return nil, err
	}
	return Build(ctx, reg, kind, sel, entries, baseDir, logger)
}
