package feeds

import (
	"bytes"
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
		Name     string            `json:"name"`
		Type     string            `json:"type"`
		List     json.RawMessage   `json:"list"`
		Matching []json.RawMessage `json:"matching_attributes"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, jsonErr(data, err)
	}
	if raw.Name == "" {
		return nil, fmt.Errorf("warninglist has no name")
	}
	var matching []string
	for _, m := range raw.Matching {
		var a string
		if json.Unmarshal(m, &a) == nil {
			matching = append(matching, a)
		}
	}
	w := &Warninglist{Name: raw.Name, Type: strings.ToLower(raw.Type), classes: attrClasses(matching)}
	add := func(i int, format string, a ...any) {
		w.Skipped++
		if len(w.Problem) < maxProblems {
			w.Problem = append(w.Problem, fmt.Sprintf("entry %d: ", i+1)+fmt.Sprintf(format, a...))
		}
	}
	list, pos, err := warninglistEntries(data, raw.List, add)
	if err != nil {
		return nil, err
	}
	switch w.Type {
	case "cidr":
		for i, v := range list {
			n, ok := normIP(strings.TrimSpace(v))
			if !ok {
				add(pos[i], "%q is not an IP address or network", clip(v))
				continue
			}
			w.entries = append(w.entries, n)
		}
	case "hostname":
		for i, v := range list {
			v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "."))
			if n, ok := normIP(v); ok {
				w.entries = append(w.entries, n)
				continue
			}
			d, ok := normDomain(v)
			if !ok {
				add(pos[i], "%q is not a host name", clip(v))
				continue
			}
			w.entries = append(w.entries, Normalised{Class: ClassDomain, Type: "dns", Value: d})
		}
	case "string":
		for _, v := range list {
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
		for _, v := range list {
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

// warninglistEntries reads the list of a warninglist: its text entries and
// the entry number of each (from 0, for messages). Entries that are not text
// (a number, null, a list) are skipped and counted through add; the others
// are still used. A list that is not a JSON list is an error.
func warninglistEntries(data []byte, l json.RawMessage, add func(int, string, ...any)) ([]string, []int, error) {
	if len(l) == 0 || string(l) == "null" {
		return nil, nil, nil
	}
	var list []string
	if err := json.Unmarshal(l, &list); err == nil && !bytes.Contains(l, []byte("null")) {
		pos := make([]int, len(list))
		for i := range pos {
			pos[i] = i
		}
		return list, pos, nil
	}
	base := bytes.Index(data, l)
	dec := json.NewDecoder(bytes.NewReader(l))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, nil, jsonErrAt(data, l, fmt.Errorf("list: want a list of text, got %s", rawKind(l)))
	}
	list = list[:0]
	var pos []int
	for i := 0; dec.More(); i++ {
		off := int(dec.InputOffset())
		for off < len(l) && strings.IndexByte(" \t\r\n,", l[off]) >= 0 {
			off++
		}
		var e json.RawMessage
		if err := dec.Decode(&e); err != nil {
			return nil, nil, jsonErrAt(data, l, fmt.Errorf("list: %w", err))
		}
		var v string
		if err := json.Unmarshal(e, &v); err != nil || string(e) == "null" {
			add(i, "want text, got %s (line %d)", rawKind(e), lineOf(data, int64(base+off)))
			continue
		}
		list = append(list, v)
		pos = append(pos, i)
	}
	return list, pos, nil
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
