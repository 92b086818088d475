package feeds

import (
	"hash/maphash"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"github.com/msticgo/msticgo/lookup"
)

// MatchKind says how an index entry matches lookups.
type MatchKind uint8

// Match kinds.
const (
	MatchExact  MatchKind = iota // the value itself
	MatchCIDR                    // any address inside the network
	MatchSuffix                  // the domain and every subdomain of it
)

// Indicator is one parsed feed entry before it is indexed.
type Indicator struct {
	Value    Normalised
	Severity lookup.Severity
	Suffix   bool   // domain entries: also match subdomains
	Line     int    // 1-based line in the source file (0: not line based)
	Ref      string // object id (STIX indicator id, MISP attribute id)
	Info     string // short description (comment, event info, indicator name)
	Score    int    // LOKI's score (1-100), 0 when the source gives none
}

// scoreSep joins a score to the interned description text (see
// infoWithScore): scores come in a few values per list, so the entry stays
// as small as it was.
const scoreSep = "\x00score="

func infoWithScore(info string, score int) string {
	if score <= 0 {
		return info
	}
	return info + scoreSep + strconv.Itoa(score)
}

// splitScore undoes infoWithScore.
func splitScore(s string) (string, int) {
	i := strings.LastIndex(s, scoreSep)
	if i < 0 {
		return s, 0
	}
	n, _ := strconv.Atoi(s[i+len(scoreSep):])
	return s[:i], n
}

// entry is the compact indexed form of an Indicator. Entries for the same
// key are chained through next (-1 ends the chain).
type entry struct {
	koff uint32 // key text in index.keys (string classes)
	klen uint32
	next int32
	line int32
	ref  int32 // index into strs, -1 none
	info int32 // index into strs, -1 none
	src  uint16
	sev  int8
	kind MatchKind
}

// index is an immutable lookup structure once built: string keys (per
// class, and domain suffixes) hashed into pointer-free maps with the key
// text kept in one byte arena (so the garbage collector never scans the
// index), and IPv4/IPv6 networks per prefix length.
type index struct {
	entries []entry
	keys    []byte // arena of key texts
	strs    []string
	strIdx  map[string]int32
	seed    maphash.Seed

	exact  map[uint64]int32 // hash(class, value) → chain (IP addresses go to v4/v6)
	suffix map[uint64]int32 // hash(domain) → chain of entries that match subdomains too
	v4     map[uint32]int32 // exact IPv4 addresses
	cidr4  cidrTable        // IPv4 networks
	v6     [129]map[[16]byte]int32
	v6lens []int
}

func newIndex() *index {
	return &index{strIdx: map[string]int32{}, exact: map[uint64]int32{}, suffix: map[uint64]int32{}, seed: maphash.MakeSeed()}
}

func (ix *index) str(s string) int32 {
	if s == "" {
		return -1
	}
	if i, ok := ix.strIdx[s]; ok {
		return i
	}
	i := int32(len(ix.strs))
	ix.strs = append(ix.strs, s)
	ix.strIdx[s] = i
	return i
}

func (ix *index) push(head int32, ok bool, e entry) int32 {
	if ok {
		e.next = head
	} else {
		e.next = -1
	}
	ix.entries = append(ix.entries, e)
	return int32(len(ix.entries) - 1)
}

// add indexes one indicator from source src. It reports whether the same
// key was already indexed from this source (a duplicate line), for the
// per-source counts of distinct values; the entry is indexed either way.
// Sources are added one after the other, so a duplicate is always at the
// head of its key's chain.
func (ix *index) add(src int, in Indicator) (dup bool) {
	e := entry{line: int32(in.Line), ref: ix.str(in.Ref), info: ix.str(infoWithScore(in.Info, in.Score)), src: uint16(src), sev: int8(in.Severity)}
	n := in.Value
	switch n.Class {
	case ClassIP:
		p := n.Prefix
		bits := p.Bits()
		if n.IsCIDR {
			e.kind = MatchCIDR
		}
		if p.Addr().Is4() {
			if bits < 32 {
				return ix.cidr4.add(ix, p, e)
			}
			if ix.v4 == nil {
				ix.v4 = map[uint32]int32{}
			}
			k := v4key(p.Addr())
			h, ok := ix.v4[k]
			dup = ok && ix.entries[h].src == e.src
			ix.v4[k] = ix.push(h, ok, e)
		} else {
			m := ix.v6[bits]
			if m == nil {
				m = map[[16]byte]int32{}
				ix.v6[bits] = m
			}
			k := p.Addr().As16()
			h, ok := m[k]
			dup = ok && ix.entries[h].src == e.src
			m[k] = ix.push(h, ok, e)
		}
	default:
		e.koff, e.klen = uint32(len(ix.keys)), uint32(len(n.Value))
		ix.keys = append(ix.keys, n.Value...)
		m := ix.exact
		if n.Class == ClassDomain && in.Suffix {
			e.kind = MatchSuffix
			m = ix.suffix
		}
		k := ix.hash(n.Class, n.Value)
		h, ok := m[k]
		dup = ok && ix.entries[h].src == e.src && ix.key(&ix.entries[h]) == n.Value
		m[k] = ix.push(h, ok, e)
	}
	return dup
}

// seal computes the prefix-length lists; call once after the last add.
func (ix *index) seal() {
	ix.v6lens = nil
	ix.cidr4.seal()
	for l := 128; l >= 0; l-- {
		if len(ix.v6[l]) > 0 {
			ix.v6lens = append(ix.v6lens, l)
		}
	}
	ix.strIdx = nil // not needed after building
}

func (ix *index) hash(c Class, v string) uint64 {
	return maphash.String(ix.seed, v) ^ uint64(c)*0x9e3779b97f4a7c15
}

// key returns the key text of an entry.
func (ix *index) key(e *entry) string {
	return unsafe.String(unsafe.SliceData(ix.keys[e.koff:]), int(e.klen))
}

func v4key(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// matchFunc receives a chain head, the key text its entries must carry
// ("" for IP maps, whose chains hold one key only) and the matched network
// or parent domain for display ("" for exact value matches). It returns
// false to stop.
type matchFunc func(head int32, want, shown string) bool

// match calls fn for every entry chain matching the value.
func (ix *index) match(n Normalised, fn matchFunc) {
	switch n.Class {
	case ClassIP:
		a := n.Prefix.Addr()
		if a.Is4() {
			u := v4key(a)
			if h, ok := ix.v4[u]; ok {
				if !fn(h, "", "") {
					return
				}
			}
			ix.cidr4.match(u, fn)
			return
		}
		b := a.As16()
		for _, l := range ix.v6lens {
			k := maskV6(b, l)
			if h, ok := ix.v6[l][k]; ok {
				key := ""
				if l != 128 {
					key = netip.PrefixFrom(a, l).Masked().String()
				}
				if !fn(h, "", key) {
					return
				}
			}
		}
	case ClassDomain:
		if h, ok := ix.exact[ix.hash(ClassDomain, n.Value)]; ok {
			if !fn(h, n.Value, "") {
				return
			}
		}
		ix.matchSuffix(n.Value, fn)
	default:
		if h, ok := ix.exact[ix.hash(n.Class, n.Value)]; ok {
			fn(h, n.Value, "")
		}
	}
}

// matchSuffix walks the domain and its parents through the suffix map.
func (ix *index) matchSuffix(d string, fn matchFunc) {
	if len(ix.suffix) == 0 {
		return
	}
	for s := d; ; {
		if h, ok := ix.suffix[ix.hash(ClassDomain, s)]; ok {
			key := s
			if s == d {
				key = ""
			}
			if !fn(h, s, key) {
				return
			}
		}
		i := strings.IndexByte(s, '.')
		if i < 0 {
			return
		}
		s = s[i+1:]
	}
}

func maskV6(b [16]byte, l int) [16]byte {
	for i := 0; i < 16; i++ {
		switch {
		case l >= 8:
			l -= 8
		case l <= 0:
			b[i] = 0
		default:
			b[i] &= ^byte(0) << (8 - l)
			l = 0
		}
	}
	return b
}

// size is the number of indexed entries.
func (ix *index) size() int { return len(ix.entries) }

// cidrTable holds IPv4 networks for point lookups. Networks are either
// nested or disjoint, so the address space splits into elementary
// intervals, each pointing at its innermost covering network; networks
// point at their parent. A lookup is one binary search over the interval
// starts plus a walk up the parents (one step per enclosing network).
type cidrTable struct {
	byKey  map[uint64]int // start<<8|bits → network number (while building)
	nets   []cidrNet
	starts []uint32 // elementary interval starts, ascending
	tops   []int32  // innermost network covering each interval, -1 none
}

type cidrNet struct {
	start, end uint32
	bits       uint8
	parent     int32
	head       int32 // entry chain
}

func (t *cidrTable) add(ix *index, p netip.Prefix, e entry) (dup bool) {
	if t.byKey == nil {
		t.byKey = map[uint64]int{}
	}
	start := v4key(p.Addr())
	k := uint64(start)<<8 | uint64(p.Bits())
	if n, ok := t.byKey[k]; ok {
		dup = ix.entries[t.nets[n].head].src == e.src
		t.nets[n].head = ix.push(t.nets[n].head, true, e)
		return dup
	}
	end := start | (^uint32(0) >> p.Bits())
	if p.Bits() == 0 {
		end = ^uint32(0)
	}
	t.byKey[k] = len(t.nets)
	t.nets = append(t.nets, cidrNet{start: start, end: end, bits: uint8(p.Bits()), head: ix.push(0, false, e)})
	return false
}

func (t *cidrTable) seal() {
	t.byKey = nil
	sort.Slice(t.nets, func(i, j int) bool {
		if t.nets[i].start != t.nets[j].start {
			return t.nets[i].start < t.nets[j].start
		}
		return t.nets[i].end > t.nets[j].end
	})
	t.starts, t.tops = t.starts[:0], t.tops[:0]
	emit := func(pos uint32, top int32) {
		if n := len(t.starts); n > 0 && t.starts[n-1] == pos {
			t.tops[n-1] = top
			return
		}
		t.starts = append(t.starts, pos)
		t.tops = append(t.tops, top)
	}
	var stack []int32
	closeTo := func(limit uint32, all bool) {
		for len(stack) > 0 {
			top := stack[len(stack)-1]
			end := t.nets[top].end
			if !all && end >= limit {
				return
			}
			stack = stack[:len(stack)-1]
			next := int32(-1)
			if len(stack) > 0 {
				next = stack[len(stack)-1]
			}
			if end != ^uint32(0) {
				emit(end+1, next)
			}
		}
	}
	for i := range t.nets {
		closeTo(t.nets[i].start, false)
		t.nets[i].parent = -1
		if len(stack) > 0 {
			t.nets[i].parent = stack[len(stack)-1]
		}
		stack = append(stack, int32(i))
		emit(t.nets[i].start, int32(i))
	}
	closeTo(0, true)
}

func (t *cidrTable) match(u uint32, fn matchFunc) {
	if len(t.starts) == 0 {
		return
	}
	i := sort.Search(len(t.starts), func(i int) bool { return t.starts[i] > u }) - 1
	if i < 0 {
		return
	}
	for n := t.tops[i]; n >= 0; n = t.nets[n].parent {
		c := &t.nets[n]
		key := netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(c.start >> 24), byte(c.start >> 16), byte(c.start >> 8), byte(c.start)}), int(c.bits)).String()
		if !fn(c.head, "", key) {
			return
		}
	}
}
