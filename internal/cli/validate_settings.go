package cli

import (
	"fmt"
	"strings"

	"github.com/msticgo/msticgo/config"
	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/registry"
)

func init() {
	// After loadPluginFolders (files' init functions run in file name
	// order): plugin providers are registered by then.
	registryHooks = append(registryHooks, warnSettingTypos)
}

// unknownSettingProblems reports, as warnings with the setting's line, each
// Args key of a TIProviders or ContextProviders entry that nothing reads: not
// an engine limit key (lookup.Arg*) and not a setting the provider declares
// (registration Meta "settings"). A key close to a known one gets "did you
// mean". A provider that declares no settings (a Starlark script, a Go
// provider) is never questioned; one that passes undeclared settings on (an
// executable plugin) only when there is a likely fix; one whose declared
// settings are all it reads (Meta "settings_complete": the declarative HTTP
// providers) for every unknown key.
func unknownSettingProblems(reg *registry.Registry, cfg *config.Config) []config.Problem {
	if reg == nil || cfg == nil {
		return nil
	}
	var out []config.Problem
	for _, sk := range lookupSections {
		for _, e := range cfg.Section(sk.section) {
			if e.Provider == lookup.NoLoad || len(e.Args) == 0 {
				continue
			}
			r, err := reg.Lookup(sk.kind, e.Provider)
			if err != nil {
				continue // an unknown type: providerTypeProblems reports it
			}
			declared, ok := r.Meta["settings"].([]string)
			if !ok {
				continue // settings not known: any key may be read
			}
			complete, _ := r.Meta["settings_complete"].(bool)
			known := append(append([]string(nil), lookup.LimitArgs...), declared...)
			for _, s := range e.Args {
				if s.Key == "" || hasFold(known, s.Key) {
					continue
				}
				msg := "unknown setting " + s.Key
				if sg := registry.Suggest(s.Key, known); sg != "" {
					msg += ": did you mean " + sg + "?"
				} else if complete {
					msg += fmt.Sprintf(", ignored (%s reads %s, and the limits %s)",
						r.Name, listOrNone(declared), strings.Join(lookup.LimitArgs, ", "))
				} else {
					continue // the plugin may read it
				}
				p := config.Problem{File: cfg.Path, Path: sk.section + "." + e.Name + ".Args." + s.Key,
					Line: e.Line, Severity: config.SevWarning, Message: msg}
				if s.Line > 0 {
					p.Line = s.Line
				}
				out = append(out, p)
			}
		}
	}
	return out
}

// warnSettingTypos is the registry hook that puts the likely typos among
// provider settings on stderr, as App.Config does for the config's other
// likely typos (config validate lists them in its table instead).
func warnSettingTypos(a *App, r *registry.Registry) error {
	if a.configReport {
		return nil
	}
	cfg, err := a.Config()
	if err != nil || cfg == nil {
		return nil // App.Config's error is the registry's already
	}
	var typos []string
	for _, p := range unknownSettingProblems(r, cfg) {
		if _, s, ok := strings.Cut(p.Message, "did you mean "); ok {
			w := p.Path
			if p.Line > 0 {
				w += fmt.Sprintf(" (line %d)", p.Line)
			}
			typos = append(typos, w+": did you mean "+s)
		}
	}
	if len(typos) > 0 {
		a.Logger().Warn(fmt.Sprintf("config %s: likely typo: %s (run: msticgo config validate)", cfg.Path, strings.Join(typos, "; ")))
	}
	return nil
}

func hasFold(list []string, s string) bool {
	for _, k := range list {
		if strings.EqualFold(k, s) {
			return true
		}
	}
	return false
}

func listOrNone(list []string) string {
	if len(list) == 0 {
		return "no settings"
	}
	return strings.Join(list, ", ")
}
