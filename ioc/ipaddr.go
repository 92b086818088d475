package ioc

import "net/netip"

// Non-routable address classes (the Reason of a NotRoutable observable).
const (
	ReasonPrivate       = "private"
	ReasonShared        = "shared/CGNAT"
	ReasonLoopback      = "loopback"
	ReasonLinkLocal     = "link-local"
	ReasonUniqueLocal   = "unique-local"
	ReasonReserved      = "reserved"
	ReasonDocumentation = "documentation"
	ReasonMulticast     = "multicast"
	ReasonBenchmarking  = "benchmarking"
	ReasonBroadcast     = "broadcast"
	ReasonUnspecified   = "unspecified"
)

type special struct {
	p      netip.Prefix
	reason string // "" = globally reachable exception
}

func mp(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// IPv4 special-purpose ranges, after the IANA IPv4 Special-Purpose Address
// Registry (plus multicast and the limited broadcast). Earlier entries win,
// so exceptions and narrow ranges come first.
var special4 = []special{
	{mp("0.0.0.0/32"), ReasonUnspecified},
	{mp("0.0.0.0/8"), ReasonReserved}, // "this network"
	{mp("10.0.0.0/8"), ReasonPrivate},
	{mp("100.64.0.0/10"), ReasonShared},
	{mp("127.0.0.0/8"), ReasonLoopback},
	{mp("169.254.0.0/16"), ReasonLinkLocal},
	{mp("172.16.0.0/12"), ReasonPrivate},
	{mp("192.0.0.9/32"), ""},  // Port Control Protocol anycast: global
	{mp("192.0.0.10/32"), ""}, // TURN anycast: global
	{mp("192.0.0.0/24"), ReasonReserved},
	{mp("192.0.2.0/24"), ReasonDocumentation},
	{mp("192.168.0.0/16"), ReasonPrivate},
	{mp("198.18.0.0/15"), ReasonBenchmarking},
	{mp("198.51.100.0/24"), ReasonDocumentation},
	{mp("203.0.113.0/24"), ReasonDocumentation},
	{mp("224.0.0.0/4"), ReasonMulticast},
	{mp("255.255.255.255/32"), ReasonBroadcast},
	{mp("240.0.0.0/4"), ReasonReserved},
}

// IPv6 special-purpose ranges, after the IANA IPv6 Special-Purpose Address
// Registry. Addresses outside 2000::/3 that match nothing here are
// "reserved" (IETF-reserved space). IPv4-mapped (::ffff:0:0/96) and NAT64
// (64:ff9b::/96) addresses take their embedded IPv4 address's class.
var special6 = []special{
	{mp("::/128"), ReasonUnspecified},
	{mp("::1/128"), ReasonLoopback},
	{mp("64:ff9b:1::/48"), ReasonPrivate}, // local-use IPv4/IPv6 translation
	{mp("100::/64"), ReasonReserved},      // discard-only
	{mp("2001:1::1/128"), ""},             // PCP anycast
	{mp("2001:1::2/128"), ""},             // TURN anycast
	{mp("2001:1::3/128"), ""},             // DNS-SD SRP anycast
	{mp("2001:3::/32"), ""},               // AMT
	{mp("2001:4:112::/48"), ""},           // AS112-v6
	{mp("2001:20::/28"), ""},              // ORCHIDv2
	{mp("2001:30::/28"), ""},              // DRIP DET
	{mp("2001:2::/48"), ReasonBenchmarking},
	{mp("2001::/23"), ReasonReserved}, // IETF protocol assignments (incl. Teredo)
	{mp("2001:db8::/32"), ReasonDocumentation},
	{mp("2002::/16"), ReasonReserved}, // 6to4
	{mp("3fff::/20"), ReasonDocumentation},
	{mp("5f00::/16"), ReasonReserved}, // SRv6 SIDs
	{mp("fc00::/7"), ReasonUniqueLocal},
	{mp("fe80::/10"), ReasonLinkLocal},
	{mp("ff00::/8"), ReasonMulticast},
}

var (
	mapped4     = mp("::ffff:0:0/96")
	nat64       = mp("64:ff9b::/96")
	globalUni6  = mp("2000::/3")
	routableNil = ""
)

// NonRoutableReason returns the class of a non-globally-routable address
// ("private", "loopback", ...) or "" when the address is globally routable.
// The zone of an IPv6 address is ignored.
func NonRoutableReason(a netip.Addr) string {
	a = a.WithZone("")
	if a.Is4() {
		return lookupSpecial(special4, a)
	}
	if !a.Is6() {
		return ReasonReserved
	}
	if mapped4.Contains(a) {
		return lookupSpecial(special4, a.Unmap())
	}
	if nat64.Contains(a) {
		b := a.As16()
		return lookupSpecial(special4, netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
	}
	for _, s := range special6 {
		if s.p.Contains(a) {
			return s.reason
		}
	}
	if !globalUni6.Contains(a) {
		return ReasonReserved
	}
	return routableNil
}

func lookupSpecial(list []special, a netip.Addr) string {
	for _, s := range list {
		if s.p.Contains(a) {
			return s.reason
		}
	}
	return ""
}

// prefixReason returns the class of a network lying wholly inside one
// non-routable range, else "".
func prefixReason(p netip.Prefix) string {
	p = p.Masked()
	a := p.Addr()
	if a.Is4() {
		for _, s := range special4 {
			if s.p.Bits() <= p.Bits() && s.p.Contains(a) {
				return s.reason
			}
		}
		return ""
	}
	if mapped4.Bits() <= p.Bits() && mapped4.Contains(a) {
		b := a.As16()
		q := netip.PrefixFrom(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), p.Bits()-96)
		return prefixReason(q)
	}
	for _, s := range special6 {
		if s.p.Bits() <= p.Bits() && s.p.Contains(a) {
			return s.reason
		}
	}
	if p.Bits() >= 3 && !globalUni6.Contains(a) {
		return ReasonReserved
	}
	return ""
}
