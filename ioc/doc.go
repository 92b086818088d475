// Package ioc owns observables (indicators of compromise): their types,
// type detection, cleaning and normalisation, rejection with a reason, and
// extraction from free text. It imports nothing else of msticgo, so any
// layer (lookup engine, feeds, CLI, plugins) can use it.
//
// # Types
//
// MSTICPy's names — ipv4, ipv6, dns, url, md5_hash, sha1_hash, sha256_hash,
// file_hash, email, windows_path, linux_path, hostname, unknown — plus cidr.
// ParseType also reads aliases (domain, hash, md5, subnet...) and the "ip"
// family, which Preprocess resolves to ipv4 or ipv6 from the value.
//
// # Entry points
//
//   - Detect(s) infers a type from the shape of one value (no validation).
//   - Classify(s) = Detect + Preprocess: the Observable with its cleaned,
//     normalised Value (the lookup and cache key), a Check (Ok, Invalid,
//     NotRoutable, Unsupported) and a Reason.
//   - Preprocess(s, t) judges s as type t: an explicit type always wins and
//     is never replaced by the detected one.
//   - Refang(s) undoes defanging; Extract(text) finds every observable in
//     text.
//
// # Rules (beyond MSTICPy; docs/observables.md lists every difference)
//
//   - Refanging ignores case: hxxp, hxxps, hxtp, fxp, fxps schemes (the "s"
//     of https is kept), [.] (.) {.} [dot] (dot) → ".", [:] → ":",
//     [://] → "://", [at] (at) [@] → "@". Every type but the paths is
//     refanged before it is detected and checked.
//   - Keys: hashes lower case; domains lower case, IDN domains in punycode
//     (Unicode and xn-- forms give one key, via golang.org/x/net/idna);
//     IPv6 in canonical form (RFC 5952); e-mail addresses lower case with
//     the domain in punycode; networks masked ("10.1.2.3/8" → 10.0.0.0/8);
//     URLs with the scheme and host normalised, sentence punctuation
//     trimmed from the end, non-ASCII bytes of path/query percent-encoded.
//   - Routability: an address outside the global unicast space is
//     NotRoutable and Reason names its class (private, shared/CGNAT,
//     loopback, link-local, unique-local, reserved, documentation,
//     benchmarking, multicast, broadcast, unspecified), from a table that
//     follows the IANA IPv4 and IPv6 Special-Purpose Address Registries
//     (netip, no lookups). IPv4-mapped and NAT64 (64:ff9b::/96) IPv6
//     addresses take the class of the embedded IPv4 address. A URL whose
//     host is such an address, and a network wholly inside such a range,
//     are NotRoutable too.
//   - ADDR:PORT (one rule for every address type): "1.2.3.4:80",
//     "[2001:db8::1]:443" and "host.example.com:8080" are typed as the
//     address (ipv4, ipv6, dns); Value is the bare address and the port goes
//     to Observable.Port. The port is never part of Value and such an input
//     is never turned into a URL. A port outside 1-65535 makes the input
//     unknown (or Invalid under an explicit type).
//   - Domains need at least two labels of letters, digits and inner
//     hyphens, and a top-level domain in the ICANN section of the public
//     suffix list compiled into golang.org/x/net/publicsuffix (never
//     fetched; its private section and implicit "*" rule do not count).
//   - File names are not domains: a two-label name whose TLD is also a
//     common file extension (sh, py, rs, md, ps, so, pm, mo, zip, mov,
//     one, pub, cab) is not inferred or extracted as dns ("update.sh",
//     "invoice.zip"). Names whose "TLD" is no real TLD (invoice.pdf,
//     report.docx) fail the public-suffix test anyway. .zip and .mov are
//     real TLDs: an explicit dns type accepts "foo.zip", and URL hosts and
//     e-mail domains are always domains.
//   - Hashes: 32/40/64 hex digits, Shannon entropy ≥ 3.0 bits per
//     character (MSTICPy's test), keyed lower case.
//   - HH:MM:SS times and MAC addresses are not IPv6: an IPv6 address must
//     parse (eight groups, or fewer with "::").
//
// # Speed
//
// Detect and Extract are hand-written byte scanners rather than regular
// expressions: Detect runs once per indicator over bulk input (target ≥ 5
// million strings/s on one core) and Extract over large logs (target ≥ 100
// MB/s). Detect makes one pass over the value to collect character-class
// flags and only then validates the one candidate type; it does not
// allocate for plain input. Extract is a single left-to-right pass: at each
// token boundary it tries the scanner the first byte allows (URL scheme,
// drive path, IPv6, host-like token, path) and resumes after the token, so
// each byte is examined a bounded number of times; repeated tokens are
// remembered and not analysed twice. Public-suffix answers are cached per
// TLD.
package ioc
