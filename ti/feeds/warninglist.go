package feeds

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Warninglist is one parsed MISP warninglist: values known to be benign.
type Warninglist struct {
	Name    string
	Type    string // cidr, string, hostname, substring
	classes uint8  // bit per Class the list applies to (from matching_attributes)
	entries []Normalised
	raw     []string // string entries that are not indicators (compared as lower-case text)
	subs    []string // substring entries, lower case
	Skipped int
	Problem []string
}

// warninglistTypes are the list types msticgo evaluates.
var warninglistTypes = []string{"cidr", "hostname", "string", "substring"}

func classBit(c Class) uint8 { return 1 << c }

// attrClasses maps MISP attribute names in matching_attributes to classes.
func attrClasses(attrs []string) uint8 {
	if len(attrs) == 0 {
		return 0xff
	}
	var m uint8
	for _, a := range attrs {
		for _, part := range strings.Split(strings.ToLower(a), "|") {
			switch part {
			case "ip-src", "ip-dst", "ip":
				m |= classBit(ClassIP)
			case "domain", "hostname":
				m |= classBit(ClassDomain)
			case "url", "uri", "link":
				m |= classBit(ClassURL)
			case "md5", "sha1", "sha256":
				m |= classBit(ClassHash)
			case "email", "email-src", "email-dst":
				m |= classBit(ClassEmail)
			}
		}
	}
	return m
}

// ParseWarninglist reads a MISP warninglist JSON file. Types cidr, string,
// hostname and substring are supported; any other type (regex included) is
// an error, so the caller skips the whole list.
func ParseWarninglist(data []byte) (*Warninglist, error) {
	var raw struct {
		Name       string   `json:"name"`
		Type       string   `json:"type"`
		List       []string `json:"list"`
		Matching   []string `json:"matching_attributes"`
		Descripton string   `json:"description"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, jsonErr(data, err)
	}
	if raw.Name == "" {
		return nil, fmt.Errorf("warninglist has no name")
	}
	w := &Warninglist{Name: raw.Name, Type: strings.ToLower(raw.Type), classes: attrClasses(raw.Matching)}
	add := func(i int, format string, a ...any) {
		w.Skipped++
		if len(w.Problem) < maxProblems {
			w.Problem = append(w.Problem, fmt.Sprintf("entry %d: ", i+1)+fmt.Sprintf(format, a...))
		}
	}
	switch w.Type {
	case "cidr":
		for i, v := range raw.List {
			n, ok := normIP(strings.TrimSpace(v))
			if !ok {
				add(i, "%q is not an IP address or network", clip(v))
				continue
			}
			w.entries = append(w.entries, n)
		}
	case "hostname":
		for i, v := range raw.List {
			v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "."))
			if n, ok := normIP(v); ok {
				w.entries = append(w.entries, n)
				continue
			}
			d, ok := normDomain(v)
			if !ok {
				add(i, "%q is not a host name", clip(v))
				continue
			}
			w.entries = append(w.entries, Normalised{Class: ClassDomain, Type: "dns", Value: d})
		}
	case "string":
		for _, v := range raw.List {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			if n, ok := Classify(v); ok {
				w.raw = append(w.raw, n.Value)
			} else {
				w.raw = append(w.raw, strings.ToLower(v))
			}
		}
	case "substring":
		for _, v := range raw.List {
			if v = strings.ToLower(strings.TrimSpace(v)); v != "" {
				w.subs = append(w.subs, v)
			}
		}
		sort.Strings(w.subs)
	default:
		return nil, fmt.Errorf("warninglist %q has type %q, which msticgo does not evaluate (supported: %s)", raw.Name, raw.Type, strings.Join(warninglistTypes, ", "))
	}
	return w, nil
}

// Size is the number of usable entries.
func (w *Warninglist) Size() int { return len(w.entries) + len(w.raw) + len(w.subs) }

// benign is the combined index of every loaded warninglist.
type benign struct {
	lists []*Warninglist
	ix    *index            // cidr and hostname entries (src = list number)
	raw   map[string][]int  // string entries → list numbers
	subs  []benignSubstring // substring entries
}

type benignSubstring struct {
	s    string
	list int
}

func newBenign(lists []*Warninglist) *benign {
	b := &benign{lists: lists, ix: newIndex(), raw: map[string][]int{}}
	for li, w := range lists {
		for _, n := range w.entries {
			b.ix.add(li, Indicator{Value: n, Suffix: n.Class == ClassDomain})
		}
		for _, s := range w.raw {
			if l := b.raw[s]; len(l) == 0 || l[len(l)-1] != li {
				b.raw[s] = append(l, li)
			}
		}
		for _, s := range w.subs {
			b.subs = append(b.subs, benignSubstring{s, li})
		}
	}
	b.ix.seal()
	return b
}

// match returns the names of the lists that mark n as benign (nil: none).
func (b *benign) match(n Normalised) []string {
	if b == nil || len(b.lists) == 0 {
		return nil
	}
	var hits []int
	seen := uint64(0)
	addHit := func(li int, cls Class) {
		if b.lists[li].classes&classBit(cls) == 0 {
			return
		}
		if li < 64 {
			if seen&(1<<li) != 0 {
				return
			}
			seen |= 1 << li
		}
		hits = append(hits, li)
	}
	viaIndex := func(v Normalised, cls Class) {
		b.ix.match(v, func(h int32, want, _ string) bool {
			for e := h; e >= 0; e = b.ix.entries[e].next {
				if want == "" || b.ix.key(&b.ix.entries[e]) == want {
					addHit(int(b.ix.entries[e].src), cls)
				}
			}
			return true
		})
	}
	check := func(v Normalised, cls Class) {
		if v.Class == ClassIP || v.Class == ClassDomain {
			viaIndex(v, cls)
		}
		for _, li := range b.raw[v.Value] {
			addHit(li, cls)
		}
	}
	check(n, n.Class)
	if n.Class == ClassURL {
		if h := urlHost(n.Value); h != "" {
			if hn, ok := normIP(h); ok {
				check(hn, ClassURL)
			} else if d, ok := normDomain(h); ok {
				check(Normalised{Class: ClassDomain, Type: "dns", Value: d}, ClassURL)
			}
		}
	}
	for _, s := range b.subs {
		if strings.Contains(n.Value, s.s) {
			addHit(s.list, n.Class)
		}
	}
	if len(hits) == 0 {
		return nil
	}
	names := make([]string, len(hits))
	for i, li := range hits {
		names[i] = b.lists[li].Name
	}
	return names
}
