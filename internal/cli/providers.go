package cli

import (
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/msticgo/msticgo/config"
	"github.com/msticgo/msticgo/registry"
	"github.com/msticgo/msticgo/table"
)

// sectionKind maps a config section to the registry kind its entries use.
var sectionKind = map[string]registry.Kind{
	"DataProviders":    registry.KindData,
	"TIProviders":      registry.KindTI,
	"ContextProviders": registry.KindContext,
}

// lookupSections are the config sections whose entries the lookup engine
// uses, with their registry kind: TIProviders, then ContextProviders (the
// order the config checks report them in).
var lookupSections = []struct {
	section string
	kind    registry.Kind
}{{"TIProviders", registry.KindTI}, {"ContextProviders", registry.KindContext}}

func init() {
	addCommand(func(a *App) *cobra.Command {
		cmd := &cobra.Command{
			Use:     "providers",
			Aliases: []string{"provider"},
			Short:   "List registered and configured providers",
		}
		var kind string
		list := &cobra.Command{
			Use:   "list",
			Short: "List providers: kind, name, aliases, source, status",
			Long: `List every provider msticgo knows: the registered ones (built-in, Go, plugins)
and the entries of msticpyconfig.yaml. An entry whose secrets do not resolve
shows why, e.g. "not configured: HUNT_VT_KEY not set".`,
			Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				var kinds []registry.Kind
				if kind != "" {
					k, err := registry.ParseKind(kind)
					if err != nil {
						return UsageErrorf("--kind: %w", err)
					}
					kinds = append(kinds, k)
				}
				cfg, err := a.Config()
				if err != nil {
					return err
				}
				reg, regErr := a.Registry()
				if reg == nil {
					return regErr
				}
				f := providersFrame(cfg, reg, kinds)
				if err := a.Write(f); err != nil {
					return err
				}
				return regErr
			},
		}
		list.Flags().StringVar(&kind, "kind", "", "only this kind: data, ti or context")
		_ = list.RegisterFlagCompletionFunc("kind", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return []string{"data", "ti", "context"}, cobra.ShellCompDirectiveNoFileComp
		})
		cmd.AddCommand(list)
		return cmd
	})
}

// providersFrame lists registrations merged with config entries: an entry
// named like the provider type it uses shares that provider's row; other
// entries get their own row (provider column = the type).
func providersFrame(cfg *config.Config, reg *registry.Registry, kinds []registry.Kind) *table.Frame {
	f := table.NewStrings("kind", "name", "provider", "aliases", "source", "status", "description")
	want := map[registry.Kind]bool{}
	for _, k := range kinds {
		want[k] = true
	}
	byKind := map[registry.Kind][]config.ProviderEntry{}
	for sec, k := range sectionKind {
		byKind[k] = cfg.Section(sec)
	}
	for _, k := range registry.Kinds {
		if len(want) > 0 && !want[k] {
			continue
		}
		entries := byKind[k]
		used := make([]bool, len(entries))
		for _, r := range reg.List(k) {
			status := "registered"
			if r.Overrode != nil {
				status = "registered (overrides " + r.Overrode.String() + ")"
			}
			source := r.Source.String()
			for i, e := range entries {
				if strings.EqualFold(e.Name, e.Provider) && isName(&r, e.Provider) {
					used[i] = true
					status = entryStatus(cfg, e)
					source += "; config " + entryWhere(cfg, e)
				}
			}
			f.Append(string(k), r.Name, r.Name, strings.Join(r.Aliases, ", "), source, status, r.Description)
		}
		for i, e := range entries {
			if used[i] {
				continue
			}
			status := entryStatus(cfg, e)
			if r, err := reg.Lookup(k, e.Provider); err != nil {
				unknown := "unknown provider type " + e.Provider
				if s := registry.Suggest(e.Provider, reg.Names(k)); s != "" {
					unknown += " (did you mean " + s + "?)"
				}
				if e.Status != "" {
					unknown += "; " + e.Status
				}
				status = unknown
			} else {
				e.Provider = r.Name
			}
			f.Append(string(k), e.Name, e.Provider, "", "config "+entryWhere(cfg, e), status, e.Description)
		}
	}
	return f
}

func isName(r *registry.Registration, name string) bool {
	for _, n := range r.Names() {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

func entryStatus(cfg *config.Config, e config.ProviderEntry) string {
	if e.Status != "" {
		return e.Status
	}
	s := "configured"
	if e.Primary {
		s += " (primary)"
	}
	return s
}

func entryWhere(cfg *config.Config, e config.ProviderEntry) string {
	p := filepath.Base(cfg.Path)
	if cfg.Path == "" {
		p = "built-in defaults"
	}
	if e.Line > 0 {
		return p + ":" + itoa(e.Line)
	}
	return p
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
