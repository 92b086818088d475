package ioc

import (
	"errors"
	"fmt"
	"strings"
)

// Type is an observable type name. The names are MSTICPy's (IoCType) plus
// "cidr" and the "ip" family alias accepted by Preprocess.
type Type string

// Observable types.
const (
	Unknown     Type = "unknown"
	IPv4        Type = "ipv4"
	IPv6        Type = "ipv6"
	DNS         Type = "dns"
	URL         Type = "url"
	MD5         Type = "md5_hash"
	SHA1        Type = "sha1_hash"
	SHA256      Type = "sha256_hash"
	FileHash    Type = "file_hash"
	Email       Type = "email"
	WindowsPath Type = "windows_path"
	LinuxPath   Type = "linux_path"
	Hostname    Type = "hostname"
	CIDR        Type = "cidr"
	// IP is a family alias (ParseType("ip")): Preprocess resolves it to
	// IPv4 or IPv6 from the value, so it never appears in an Observable.
	IP Type = "ip"
)

// ErrUnsupportedType is returned (wrapped) by ParseType for a name that is
// not an observable type or alias.
var ErrUnsupportedType = errors.New("unsupported observable type")

var allTypes = []Type{IPv4, IPv6, DNS, URL, MD5, SHA1, SHA256, FileHash, Email, WindowsPath, LinuxPath, Hostname, CIDR, Unknown}

// Types returns every concrete observable type, MSTICPy's order, cidr and
// unknown last.
func Types() []Type { return append([]Type(nil), allTypes...) }

var typeAliases = map[string]Type{
	"unknown": Unknown,
	"ipv4":    IPv4, "ip4": IPv4, "ipv4_address": IPv4, "ipv4address": IPv4,
	"ipv6": IPv6, "ip6": IPv6, "ipv6_address": IPv6, "ipv6address": IPv6,
	"ip": IP, "ip_address": IP, "ipaddress": IP, "ipaddr": IP, "address": IP,
	"dns": DNS, "domain": DNS, "domain_name": DNS, "domainname": DNS, "fqdn": DNS,
	"url": URL, "uri": URL, "link": URL,
	"md5_hash": MD5, "md5": MD5, "md5hash": MD5,
	"sha1_hash": SHA1, "sha1": SHA1, "sha1hash": SHA1,
	"sha256_hash": SHA256, "sha256": SHA256, "sha256hash": SHA256,
	"file_hash": FileHash, "filehash": FileHash, "hash": FileHash, "file": FileHash,
	"email": Email, "e_mail": Email, "mail": Email, "email_address": Email, "emailaddress": Email,
	"windows_path": WindowsPath, "windowspath": WindowsPath, "winpath": WindowsPath, "win_path": WindowsPath,
	"linux_path": LinuxPath, "linuxpath": LinuxPath, "unix_path": LinuxPath, "unixpath": LinuxPath,
	"hostname": Hostname, "host": Hostname, "host_name": Hostname,
	"cidr": CIDR, "network": CIDR, "subnet": CIDR, "netblock": CIDR, "ip_range": CIDR, "iprange": CIDR,
}

// ParseType reads a type name: MSTICPy's names (case-insensitive) and common
// aliases ("domain"→dns, "hash"→file_hash, "md5"→md5_hash, "ip"→the IP
// family, "subnet"→cidr...). '-' and ' ' count as '_'. An empty string is
// Unknown (infer). Anything else is an error wrapping ErrUnsupportedType.
func ParseType(s string) (Type, error) {
	k := strings.ToLower(strings.TrimSpace(s))
	if k == "" {
		return Unknown, nil
	}
	k = strings.NewReplacer("-", "_", " ", "_").Replace(k)
	if t, ok := typeAliases[k]; ok {
		return t, nil
	}
	names := make([]string, 0, len(allTypes))
	for _, t := range allTypes {
		if t != Unknown { // accepted, but never a type to ask for
			names = append(names, string(t))
		}
	}
	return Unknown, fmt.Errorf("%w %q (known: %s)", ErrUnsupportedType, s, strings.Join(names, ", "))
}

// IsHash reports whether t is one of the hash types.
func (t Type) IsHash() bool { return t == MD5 || t == SHA1 || t == SHA256 || t == FileHash }

// IsIP reports whether t is ipv4 or ipv6.
func (t Type) IsIP() bool { return t == IPv4 || t == IPv6 }

// Check is the outcome of pre-processing one observable.
type Check int

// Checks.
const (
	// Ok: the value is valid and may be sent to providers.
	Ok Check = iota
	// Invalid: the value does not parse as its type (Reason says why).
	Invalid
	// NotRoutable: a valid address (or URL host, or network) that is not
	// globally routable; Reason names the class. Never send it anywhere.
	NotRoutable
	// Unsupported: no type could be inferred (Type is Unknown).
	Unsupported
)

var checkNames = [...]string{"ok", "invalid", "not routable", "unsupported"}

func (c Check) String() string {
	if c >= 0 && int(c) < len(checkNames) {
		return checkNames[c]
	}
	return "check(" + fmt.Sprint(int(c)) + ")"
}

// MarshalText writes the check's name ("ok", "not routable"...), so JSON
// output is readable.
func (c Check) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads a check name written by MarshalText.
func (c *Check) UnmarshalText(b []byte) error {
	for i, n := range checkNames {
		if string(b) == n {
			*c = Check(i)
			return nil
		}
	}
	return fmt.Errorf("unknown check %q", b)
}

// Observable is one classified and pre-processed indicator.
type Observable struct {
	Input  string // as given
	Type   Type   // the explicit type, else the detected one
	Value  string // cleaned, refanged, normalised lookup key ("" unless Check is Ok or NotRoutable)
	Port   int    // the port of an ADDR:PORT input (0 when none); never part of Value
	Check  Check
	Reason string // why Check is not Ok: a class name for NotRoutable, a parse reason for Invalid
}

// Status is MSTICPy's pre-processing status text: "ok" or the reason.
func (o Observable) Status() string {
	if o.Check == Ok {
		return "ok"
	}
	if o.Check == NotRoutable {
		return "not routable: " + o.Reason
	}
	return o.Reason
}
