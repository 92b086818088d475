package registry

import "strings"

// ProviderName applies MSTICPy's rule for TI and context providers: the
// declared name (PROVIDER_NAME) when there is one, else the type name.
func ProviderName(declared, typeName string) string {
	if strings.TrimSpace(declared) != "" {
		return strings.TrimSpace(declared)
	}
	return typeName
}

// DataNames applies MSTICPy's rule for data drivers: the driver is registered
// under every name of its declared environment list (DATA_ENVIRONMENTS), and
// under its type name only when that list names it or there is no list.
// The first returned name is the friendly name, the rest are aliases.
func DataNames(environments []string, typeName string) []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range environments {
		e = strings.TrimSpace(e)
		if e == "" || seen[strings.ToLower(e)] {
			continue
		}
		seen[strings.ToLower(e)] = true
		out = append(out, e)
	}
	if len(out) == 0 && typeName != "" {
		out = []string{typeName}
	}
	return out
}

// Suggest returns the known name closest to name (by edit distance,
// case-insensitively) when it is close enough to be a likely typo.
func Suggest(name string, known []string) string {
	if strings.TrimSpace(name) == "" {
		return "" // every name starts with "": no suggestion is a likely fix
	}
	best, bestD := "", 1<<30
	ln := strings.ToLower(name)
	for _, k := range known {
		lk := strings.ToLower(k)
		d := editDistance(ln, lk)
		if strings.HasPrefix(lk, ln) || strings.HasPrefix(ln, lk) {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = k, d
		}
	}
	limit := max(2, len(name)/3)
	if bestD <= limit {
		return best
	}
	return ""
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
