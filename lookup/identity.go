package lookup

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
)

// NoCacher is an optional ability: a provider that answers from local data
// (feed files, embedded lists) returns true from NoCache, and the engine
// never caches its answers, neither on disk nor in memory. Such an answer
// costs no more than a cache hit, and a cache would only serve answers the
// data no longer gives (a feed file edited, another config's feeds).
type NoCacher interface {
	NoCache() bool
}

// uncached reports whether the provider opted out of the cache.
func uncached(p Provider) bool {
	nc, ok := p.(NoCacher)
	return ok && p != nil && nc.NoCache()
}

// limitKeys are the Args read by the engine (limits): they change how calls
// are made, never the answers, so they are not part of an entry's identity.
var limitKeys = func() map[string]bool {
	m := make(map[string]bool, len(LimitArgs))
	for _, k := range LimitArgs {
		m[strings.ToLower(k)] = true
	}
	return m
}()

// endpointKeys are the settings that name the service a provider calls:
// with the provider type and the secrets they make the identity of a daily
// quota.
var endpointKeys = map[string]bool{"baseurl": true, "instance": true}

// fingerprint is a short SHA-256 of the parts: it names cache and quota
// files without showing any setting value (secrets included).
func fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// entryIdentities returns the cache identity and the quota identity of a
// config entry of provider type typ with resolved settings vals (secret
// names the secret ones).
//
// The cache identity is the entry name and a fingerprint of the type and
// every setting value except the limits: another config, BaseURL, key or
// feed list never shares answers. The quota identity is the type, the
// endpoint settings (BaseURL, Instance) and the secrets: one service and
// one key share one daily count whatever the entry is called, and a test
// server (another BaseURL) never spends the real service's quota. Values
// are only hashed, never stored.
func entryIdentities(name, typ string, vals map[string]string, secret map[string]bool) (cacheID, quotaID string) {
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	cacheParts := []string{"type", strings.ToLower(typ)}
	quotaParts := []string{"type", strings.ToLower(typ)}
	for _, k := range keys {
		lk := strings.ToLower(k)
		if limitKeys[lk] {
			continue
		}
		v := strings.TrimSpace(vals[k])
		cacheParts = append(cacheParts, lk, v)
		if endpointKeys[lk] {
			quotaParts = append(quotaParts, lk, strings.TrimRight(strings.ToLower(v), "/"))
		} else if secret[k] {
			quotaParts = append(quotaParts, lk, v)
		}
	}
	return name + "-" + fingerprint(cacheParts...), safeType(typ) + "-" + fingerprint(quotaParts...)
}

// refineCacheID adds facts known only when the provider is built (where its
// code came from, the folder relative paths resolve against) to a cache
// identity.
func refineCacheID(id string, parts ...string) string {
	if id == "" {
		return ""
	}
	name := id
	if i := strings.LastIndex(id, "-"); i >= 0 {
		name = id[:i]
	}
	return name + "-" + fingerprint(append([]string{id}, parts...)...)
}

func safeType(t string) string {
	if t == "" {
		return "provider"
	}
	return t
}

// cacheID is the identity of the entry's answers in the cache: the spec's
// CacheID, else its name.
func (s ProviderSpec) cacheID() string {
	if s.CacheID != "" {
		return s.CacheID
	}
	return s.Name
}

// quotaID is the identity of the daily quota the entry's calls spend: the
// spec's QuotaID, else its name.
func (s ProviderSpec) quotaID() string {
	if s.QuotaID != "" {
		return s.QuotaID
	}
	return s.Name
}
