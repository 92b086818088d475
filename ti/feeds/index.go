package feeds

import (
	"net/netip"
	"strings"

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
}

// entry is the compact indexed form of an Indicator. Entries for the same
// key are chained through next (-1 ends the chain).
type entry struct {
	next int32
	line int32
	ref  int32 // index into strs, -1 none
	info int32 // index into strs, -1 none
	src  uint16
	sev  int8
	kind MatchKind
}

// index is an immutable lookup structure once built. Exact string keys per
// class, IPv4/IPv6 networks per prefix length, and domain suffixes.
type index struct {
	entries []entry
	strs    []string
	strIdx  map[string]int32

	exact  [6]map[string]int32 // per Class (IP exact addresses go to v4/v6)
	suffix map[string]int32    // domain → chain, entries that match subdomains too
	v4     [33]map[uint32]int32
	v4lens []int // present prefix lengths, longest first
	v6     [129]map[[16]byte]int32
	v6lens []int
}

func newIndex() *index {
	ix := &index{strIdx: map[string]int32{}, suffix: map[string]int32{}}
	for i := range ix.exact {
		ix.exact[i] = map[string]int32{}
	}
	return ix
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

// add indexes one indicator from source src.
func (ix *index) add(src int, in Indicator) {
	e := entry{line: int32(in.Line), ref: ix.str(in.Ref), info: ix.str(in.Info), src: uint16(src), sev: int8(in.Severity)}
	n := in.Value
	switch n.Class {
	case ClassIP:
		p := n.Prefix
		bits := p.Bits()
		if n.IsCIDR {
			e.kind = MatchCIDR
		}
		if p.Addr().Is4() {
			m := ix.v4[bits]
			if m == nil {
				m = map[uint32]int32{}
				ix.v4[bits] = m
			}
			k := v4key(p.Addr())
			h, ok := m[k]
			m[k] = ix.push(h, ok, e)
		} else {
			m := ix.v6[bits]
			if m == nil {
				m = map[[16]byte]int32{}
				ix.v6[bits] = m
			}
			k := p.Addr().As16()
			h, ok := m[k]
			m[k] = ix.push(h, ok, e)
		}
	case ClassDomain:
		if in.Suffix {
			e.kind = MatchSuffix
			h, ok := ix.suffix[n.Value]
			ix.suffix[n.Value] = ix.push(h, ok, e)
			return
		}
		fallthrough
	default:
		m := ix.exact[n.Class]
		h, ok := m[n.Value]
		m[n.Value] = ix.push(h, ok, e)
	}
}

// seal computes the prefix-length lists; call once after the last add.
func (ix *index) seal() {
	ix.v4lens, ix.v6lens = nil, nil
	for l := 32; l >= 0; l-- {
		if len(ix.v4[l]) > 0 {
			ix.v4lens = append(ix.v4lens, l)
		}
	}
	for l := 128; l >= 0; l-- {
		if len(ix.v6[l]) > 0 {
			ix.v6lens = append(ix.v6lens, l)
		}
	}
	ix.strIdx = nil // not needed after building
}

func v4key(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// match calls fn for every entry chain matching the value; fn receives the
// chain head and the matched key text (empty for exact value matches).
// It stops early when fn returns false.
func (ix *index) match(n Normalised, fn func(head int32, key string) bool) {
	switch n.Class {
	case ClassIP:
		a := n.Prefix.Addr()
		if a.Is4() {
			u := v4key(a)
			for _, l := range ix.v4lens {
				mask := uint32(0)
				if l > 0 {
					mask = ^uint32(0) << (32 - l)
				}
				if h, ok := ix.v4[l][u&mask]; ok {
					key := ""
					if l != 32 {
						key = netip.PrefixFrom(a, l).Masked().String()
					}
					if !fn(h, key) {
						return
					}
				}
			}
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
				if !fn(h, key) {
					return
				}
			}
		}
	case ClassDomain:
		if h, ok := ix.exact[ClassDomain][n.Value]; ok {
			if !fn(h, "") {
				return
			}
		}
		ix.matchSuffix(n.Value, fn)
	default:
		if h, ok := ix.exact[n.Class][n.Value]; ok {
			fn(h, "")
		}
	}
}

// matchSuffix walks the domain and its parents through the suffix map.
func (ix *index) matchSuffix(d string, fn func(head int32, key string) bool) {
	if len(ix.suffix) == 0 {
		return
	}
	for s := d; ; {
		if h, ok := ix.suffix[s]; ok {
			key := s
			if s == d {
				key = ""
			}
			if !fn(h, key) {
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
