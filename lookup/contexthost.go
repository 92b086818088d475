package lookup

import (
	"strings"

	"github.com/msticgo/msticgo/ioc"
)

// Host names in context mode. A CMDB knows hosts by name, and the names it
// holds are often short ("host01") or under a private suffix
// ("dc01.corp.local"), which TI rules reject (no public suffix: package
// ioc types them "unknown", or invalid with --type hostname). In context
// mode only:
//
//   - an input whose type is not inferred, or given as hostname, that is a
//     host name by syntax (see isHostName) is a hostname, lower-cased;
//   - a provider that takes hostname but not dns gets dns-typed values (an
//     FQDN, which ioc types dns) as hostname.
//
// TI mode is unchanged.

// contextHostPrepared applies the first rule to a prepared input.
func contextHostPrepared(input, explicitType string, p Prepared) Prepared {
	switch {
	case explicitType == "" && p.Check == CheckOK && p.Item.Type == string(ioc.Unknown):
	case explicitType != "" && p.Check == CheckInvalid && isHostnameType(explicitType):
	default:
		return p
	}
	v := strings.TrimSuffix(strings.TrimSpace(input), ".")
	if !isHostName(v) {
		return p
	}
	return Prepared{Item: Item{Ioc: input, Type: string(ioc.Hostname), Value: strings.ToLower(v), SubType: p.Item.SubType}}
}

func isHostnameType(t string) bool {
	pt, err := ioc.ParseType(t)
	return err == nil && pt == ioc.Hostname
}

// isHostName reports whether v is a host name by syntax: dot-separated
// labels of letters, digits, '-' and '_' (NetBIOS-style names have them),
// each 1-63 characters and not starting or ending with '-', at most 253 in
// all, with a letter somewhere (so "1234" or "10.0.0" are not names).
func isHostName(v string) bool {
	if v == "" || len(v) > 253 {
		return false
	}
	letter := false
	for _, l := range strings.Split(v, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			switch {
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
				letter = true
			case c >= '0' && c <= '9', c == '-', c == '_':
			default:
				return false
			}
		}
	}
	return letter
}

// contextItem applies the second rule: the item as this provider gets it.
func (p *provRun) contextItem(it Item) Item {
	if it.Type == string(ioc.DNS) && p.supported != nil && !p.supported[string(ioc.DNS)] && p.supported[string(ioc.Hostname)] {
		it.Type = string(ioc.Hostname)
	}
	return it
}
