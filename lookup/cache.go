package lookup

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/msticgo/msticgo/internal/cachefile"
)

// DefaultCacheTTL is how long a cached answer is reused.
const DefaultCacheTTL = 24 * time.Hour

// Cache keeps OK answers (found and not found) keyed by the provider
// entry's cache identity (ProviderSpec.CacheID: entry name, provider type
// and a fingerprint of its settings), type, sub-type and normalised value:
// in memory, and on disk when it has a folder (one JSON file per identity,
// mode 0600), so repeated runs do not spend quota. Providers answering from
// local data (NoCacher) are never cached. Errors, timeouts and rate limits are never cached. It is
// safe for concurrent use. The folder is only used when it is the user's
// own and group and others cannot write to it (else answers stay in memory
// and Flush says why), and a cache file that is not a regular file (a
// FIFO, a device, a symlink) is ignored rather than waited on.
type Cache struct {
	mu     sync.Mutex
	dir    string
	ttl    time.Duration
	now    func() time.Time
	mem    map[string]map[string]cacheEntry // entry → key → answer
	loaded map[string]bool
	dirty  map[string]bool

	diskChecked bool
	diskErr     error // why the folder is not used
}

// maxCacheFile bounds what is read from one cache file.
const maxCacheFile = 256 << 20

type cacheEntry struct {
	At     time.Time   `json:"at"`
	Result cachedValue `json:"result"`
}

type cachedValue struct {
	Status    string `json:"status"`
	Found     bool   `json:"found"`
	Severity  string `json:"severity"`
	Details   any    `json:"details,omitempty"`
	RawResult any    `json:"raw,omitempty"`
	Reference string `json:"reference,omitempty"`
}

type cacheFile struct {
	Version  int                   `json:"version"`
	Provider string                `json:"provider"`
	Entries  map[string]cacheEntry `json:"entries"`
}

// cacheVersion 2: files are per cache identity (version 1 files, per entry
// name only, are ignored).
const cacheVersion = 2

// NewCache returns a cache. dir "" keeps answers in memory only; ttl <= 0
// means DefaultCacheTTL; now nil means time.Now.
func NewCache(dir string, ttl time.Duration, now func() time.Time) *Cache {
	if ttl <= 0 {
		ttl = DefaultCacheTTL
	}
	if now == nil {
		now = time.Now
	}
	return &Cache{dir: dir, ttl: ttl, now: now, mem: map[string]map[string]cacheEntry{},
		loaded: map[string]bool{}, dirty: map[string]bool{}}
}

// DefaultCacheDir is <user cache dir>/msticgo/lookup (for example
// ~/.cache/msticgo/lookup on Linux).
func DefaultCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("lookup cache: %w", err)
	}
	return filepath.Join(d, "msticgo", "lookup"), nil
}

// Dir is the cache folder ("" for a memory-only cache).
func (c *Cache) Dir() string { return c.dir }

func (c *Cache) entriesLocked(provider string) map[string]cacheEntry {
	m := c.mem[provider]
	if m == nil {
		m = map[string]cacheEntry{}
		c.mem[provider] = m
	}
	if c.dir != "" && !c.loaded[provider] && c.diskLocked() == nil {
		c.loaded[provider] = true
		if b, err := cachefile.ReadFile(c.path(provider), maxCacheFile); err == nil {
			var f cacheFile
			if json.Unmarshal(b, &f) == nil && f.Version == cacheVersion && f.Provider == provider {
				for k, e := range f.Entries {
					if _, ok := m[k]; !ok {
						m[k] = e
					}
				}
			}
		}
	}
	return m
}

// diskLocked creates the folder (mode 0700) when missing and returns why
// it cannot be used (cachefile.CheckDir), checked once per Cache.
func (c *Cache) diskLocked() error {
	if !c.diskChecked {
		c.diskChecked = true
		if err := os.MkdirAll(c.dir, 0o700); err != nil {
			c.diskErr = err
		} else {
			c.diskErr = cachefile.CheckDir(c.dir)
		}
	}
	return c.diskErr
}

func (c *Cache) path(provider string) string {
	return filepath.Join(c.dir, fileName(provider)+".json")
}

// Get returns a fresh cached answer. provider is the entry's cache
// identity (ProviderSpec.CacheID, else its name).
func (c *Cache) Get(provider, key string) (Result, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entriesLocked(provider)[key]
	if !ok || c.now().Sub(e.At) > c.ttl {
		return Result{}, false
	}
	v := e.Result
	st := StatusNotFound
	if v.Status == StatusFound.String() {
		st = StatusFound
	}
	return Result{Status: st, Found: v.Found, Severity: ParseSeverity(v.Severity), Details: v.Details,
		RawResult: v.RawResult, Reference: v.Reference}, true
}

// Put stores an OK answer; other statuses are ignored.
func (c *Cache) Put(provider, key string, r Result) {
	if !r.Status.OK() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entriesLocked(provider)[key] = cacheEntry{At: c.now(), Result: cachedValue{
		Status: r.Status.String(), Found: r.Found, Severity: r.Severity.String(),
		Details: jsonSafe(r.Details), RawResult: jsonSafe(r.RawResult), Reference: r.Reference,
	}}
	c.dirty[provider] = true
}

// jsonSafe keeps values that encode as JSON and replaces others by their text.
func jsonSafe(v any) any {
	if v == nil {
		return nil
	}
	if _, err := json.Marshal(v); err != nil {
		return fmt.Sprint(v)
	}
	return v
}

// Flush writes changed providers' answers to disk (expired ones dropped).
// A memory-only cache does nothing.
func (c *Cache) Flush() error {
	if c.dir == "" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.dirty) == 0 {
		return nil
	}
	if err := c.diskLocked(); err != nil {
		clear(c.dirty) // kept in memory; said once
		return fmt.Errorf("lookup cache not used: %w", err)
	}
	var errs []error
	now := c.now()
	for provider := range c.dirty {
		f := cacheFile{Version: cacheVersion, Provider: provider, Entries: map[string]cacheEntry{}}
		for k, e := range c.mem[provider] {
			if now.Sub(e.At) <= c.ttl {
				f.Entries[k] = e
			}
		}
		b, err := json.Marshal(f)
		if err == nil {
			err = writeFileAtomic(c.path(provider), b)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("lookup cache for %s: %w", provider, err))
			continue
		}
		delete(c.dirty, provider)
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// fileName turns an entry name into a safe file name: its letters, digits,
// '-' and '_' plus a short hash of the full name (names differing only in
// other characters or case stay apart).
func fileName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 64 {
			break
		}
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return fmt.Sprintf("%s-%08x", b.String(), h.Sum32())
}
