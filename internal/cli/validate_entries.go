package cli

import (
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/msticgo/msticgo/config"
	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/table"
)

// entrySettingProblems builds every TIProviders and ContextProviders entry
// the way lookups do (lookup.EntrySpecs, then lookup.Build through the
// registry) and reports, as a warning with the entry's (or the setting's)
// line, each reason that makes an entry not configured which no earlier
// problem already gives: a bad limit (Timeout: soon), a setting the
// provider refuses (a Feeds key it does not know), a missing required
// setting (ServiceNow's Instance). Factories make no network call (HTTP
// providers build a client, Starlark scripts run their top level, which
// has no http, exec plugins start no process before the first call);
// Feeds reads its local files. Every built provider is closed again.
// First come the Args keys nothing reads (unknownSettingProblems).
func entrySettingProblems(a *App, cfg *config.Config, earlier []config.Problem) []config.Problem {
	reg, _ := a.Registry()
	if reg == nil {
		return nil
	}
	quiet := slog.New(slog.DiscardHandler)
	out := unknownSettingProblems(reg, cfg)
	for _, sk := range lookupSections {
		entries := cfg.Section(sk.section)
		specs, err := lookup.EntrySpecs(entries)
		if err != nil {
			continue
		}
		built, err := lookup.Build(a.Context(), reg, sk.kind, specs, entries, cfg.Dir(), quiet)
		if err != nil {
			continue
		}
		for _, s := range built {
			if c, ok := s.Provider.(io.Closer); ok {
				_ = c.Close()
			}
			if s.NotConfigured == "" {
				continue
			}
			var e *config.ProviderEntry
			for i := range entries {
				if entries[i].Name == s.Name {
					e = &entries[i]
				}
			}
			if e == nil || e.Status != "" {
				continue // an unset variable or Key Vault reference: reported when loading
			}
			if _, err := reg.Lookup(sk.kind, e.Provider); err != nil {
				continue // an unknown type: providerTypeProblems reports it
			}
			entryPath := sk.section + "." + e.Name
			if saysNotConfigured(earlier, entryPath) {
				continue
			}
			reasons := s.SettingProblems // every bad limit setting, a row each
			if len(reasons) == 0 {
				reasons = []string{s.NotConfigured}
			}
			for _, reason := range reasons {
				p := config.Problem{File: cfg.Path, Path: entryPath, Line: e.Line, Severity: config.SevWarning,
					Message: reason + "; the entry is not configured and makes no call"}
				if set, ok := settingNamedIn(e.Args, reason); ok {
					p.Path = entryPath + ".Args." + set.Key
					if set.Line > 0 {
						p.Line = set.Line
					}
				}
				out = append(out, p)
			}
		}
	}
	return out
}

// saysNotConfigured reports whether an earlier problem about the entry
// (its path or below) already says it is not configured.
func saysNotConfigured(probs []config.Problem, entryPath string) bool {
	for _, p := range probs {
		if (p.Path == entryPath || strings.HasPrefix(p.Path, entryPath+".")) && strings.Contains(p.Message, "not configured") {
			return true
		}
	}
	return false
}

// settingNamedIn returns the first setting (in file order) whose key the
// reason names as a whole word.
func settingNamedIn(args []config.Setting, reason string) (config.Setting, bool) {
	for _, s := range args {
		if s.Key != "" && containsWord(reason, s.Key) {
			return s, true
		}
	}
	return config.Setting{}, false
}

func containsWord(text, word string) bool {
	isWord := func(b byte) bool {
		return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
	}
	for i := 0; ; {
		j := strings.Index(text[i:], word)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(word)
		if (j == 0 || !isWord(text[j-1])) && (end == len(text) || !isWord(text[end])) {
			return true
		}
		i = j + 1
	}
}

// writeUncut writes a frame like App.Write, but with no cell cut unless
// --max-width is given: config validate's messages end with what to do
// ("did you mean TIProviders?"), which a cut at 60 characters would lose.
func (a *App) writeUncut(cmd *cobra.Command, f *table.Frame) error {
	width := -1
	if fl := cmd.Flag("max-width"); fl != nil && fl.Changed {
		width = a.maxWidth
	}
	return table.Write(a.Stdout(), f, a.Format(), table.Options{MaxWidth: width, Redact: a.Redact})
}
