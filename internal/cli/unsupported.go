package cli

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/msticgo/msticgo/lookup"
)

// unsupportedInputs notes the inputs that no selected provider takes (every
// row "unsupported type"). Such a run still exits 0, as lookups.md says
// (an unsupported type is an answer), but it is said on stderr, once, so
// that nothing looked up does not pass for a clean result.
type unsupportedInputs struct {
	providers int
	count     map[int]int
	items     map[int]lookup.Item
}

func newUnsupportedInputs(providers int) *unsupportedInputs {
	return &unsupportedInputs{providers: providers, count: map[int]int{}, items: map[int]lookup.Item{}}
}

// add counts one row; call it for every row.
func (u *unsupportedInputs) add(r lookup.Row) {
	if r.Result.Status != lookup.StatusUnsupported {
		return
	}
	u.count[r.Index]++
	u.items[r.Index] = r.Item
}

// warn writes one line naming (up to three of) the inputs no provider took,
// with their types.
func (u *unsupportedInputs) warn(a *App, inputs int, mode lookup.Mode) {
	var idx []int
	for i, n := range u.count {
		if n == u.providers {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 || u.providers == 0 {
		return
	}
	sort.Ints(idx)
	var names []string
	for _, i := range idx[:min(3, len(idx))] {
		it := u.items[i]
		names = append(names, fmt.Sprintf("%s (%s)", clipInput(it.Ioc), it.Type))
	}
	if len(idx) > 3 {
		names = append(names, fmt.Sprintf("and %d more", len(idx)-3))
	}
	hint := "msticgo ti providers lists the types each provider takes"
	if mode == lookup.ModeContext {
		hint = "msticgo context providers lists the types each provider takes"
	}
	a.Logger().Warn(fmt.Sprintf("%d of %d inputs not looked up: no selected provider takes their type: %s (%s; --type sets a type)",
		len(idx), inputs, strings.Join(names, ", "), hint))
}

// maxQuotedInput is the most characters of one input quoted in a warning.
const maxQuotedInput = 80

// clipInput makes an input fit in a one-line warning: valid UTF-8, cut
// after maxQuotedInput characters with "…" and the full length.
func clipInput(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	n := 0
	for i := range s {
		if n == maxQuotedInput {
			return fmt.Sprintf("%s… (%d characters)", s[:i], utf8.RuneCountInString(s))
		}
		n++
	}
	return s
}
