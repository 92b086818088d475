package cli

import (
	"fmt"
	"strings"

	"github.com/msticgo/msticgo/config"
	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/ti/feeds"
)

// feedPathProblems warns about each feed or warninglist path of a Feeds
// entry that does not exist, with the line of the setting naming it. The
// paths come from the provider's own settings parser (feeds.ParseSettings),
// resolved against the config's folder as the provider resolves them; a
// settings error is left to the lookup (the entry is then not configured,
// with the reason).
func feedPathProblems(cfg *config.Config) []config.Problem {
	var out []config.Problem
	for _, e := range cfg.TIProviders {
		if e.Provider == lookup.NoLoad || !strings.EqualFold(e.Provider, feeds.Name) || !e.Configured() {
			continue
		}
		vals, _ := e.Settings()
		s, err := feeds.ParseSettings(vals, cfg.Dir())
		if err != nil {
			continue
		}
		missing := s.Missing()
		feedsMissing, listsMissing := 0, 0
		for _, m := range missing {
			if m.Warninglist {
				listsMissing++
			} else {
				feedsMissing++
			}
		}
		// the provider's rule: not configured when no feed loads (or, with
		// no feed named, no warninglist)
		dead := s.Embedded == "" && ((len(s.Feeds) > 0 && feedsMissing == len(s.Feeds)) ||
			(len(s.Feeds) == 0 && listsMissing == len(s.Warninglists)))
		for _, m := range missing {
			line := e.Line
			if a, ok := e.Arg(m.Key); ok && a.Line > 0 {
				line = a.Line
			}
			msg := fmt.Sprintf("feed path %s: %s", m.Path, m.Why)
			if dead {
				msg += "; no source of this entry loads, so the entry is not configured"
			} else {
				msg += "; the entry's other sources still load"
			}
			out = append(out, config.Problem{File: cfg.Path, Path: "TIProviders." + e.Name + ".Args." + m.Key,
				Line: line, Severity: config.SevWarning, Message: msg})
		}
	}
	return out
}
