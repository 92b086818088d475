package querystore

import (
	"crypto/sha256"
	"embed"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/msticgo/msticgo/data/dataenv"
	"github.com/msticgo/msticgo/data/render"
	"github.com/msticgo/msticgo/internal/cachefile"
	"github.com/msticgo/msticgo/internal/srcdigest"
)

// cacheVersion changes whenever the cached shape changes, so old entries
// are never used.
const cacheVersion = "msticgo-querystore-9"

// ownSource is this package's Go source: its digest (with those of
// data/render and data/dataenv, which parsing also runs) is part of every
// cache key, so a build whose parsing differs in any way never reads the
// entries of another build, with no version number to remember to bump.
//
//go:embed *.go
var ownSource embed.FS

// codeVersion is cacheVersion plus the digest of the parsing code.
var codeVersion = sync.OnceValue(func() string {
	h := sha256.New()
	h.Write([]byte(cacheVersion))
	h.Write([]byte(srcdigest.Of(ownSource)))
	h.Write([]byte(render.SourceDigest()))
	h.Write([]byte(dataenv.SourceDigest()))
	return cacheVersion + "-" + hex.EncodeToString(h.Sum(nil))[:16]
})

// SetCacheDir makes the store keep parsed files in dir, keyed by a hash
// of their content: a file read again unchanged skips YAML parsing (the
// slow part of loading). "" (the default) disables the cache. Cache
// faults are ignored: the file is then parsed as usual. An entry that is
// not a regular file (a FIFO, a device, a symlink) is never waited on but
// skipped, and a folder that is not the user's own, or that group or
// others can write to, is not used at all (its entries could have been
// planted by someone else).
func (s *Store) SetCacheDir(dir string) {
	s.mu.Lock()
	s.cacheDir = dir
	s.mu.Unlock()
}

// DefaultCacheDir is the user's cache folder for parsed query files
// (e.g. ~/.cache/msticgo/queries), or "" when there is none.
func DefaultCacheDir() string {
	d, err := os.UserCacheDir()
	if err != nil || d == "" {
		return ""
	}
	return filepath.Join(d, "msticgo", "queries")
}

// maxEntrySize bounds what is read from one cache entry.
const maxEntrySize = 64 << 20

var dirChecks sync.Map // cache folder → bool from usableDir

// usableDir creates dir (mode 0700) when missing and reports whether it is
// safe to read entries from and write them to (cachefile.CheckDir). It is
// checked once per process and folder.
func usableDir(dir string) bool {
	if v, ok := dirChecks.Load(dir); ok {
		return v.(bool)
	}
	ok := os.MkdirAll(dir, 0o700) == nil && cachefile.CheckDir(dir) == nil
	v, _ := dirChecks.LoadOrStore(dir, ok)
	return v.(bool)
}

func cacheKey(data []byte) string {
	h := sha256.New()
	h.Write([]byte(codeVersion()))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

func (s *Store) parseCached(dir, name string, data []byte) ([]*Query, []Problem) {
	if !usableDir(dir) {
		return ParseFile(name, data)
	}
	path := filepath.Join(dir, cacheKey(data))
	if b, err := cachefile.ReadFile(path, maxEntrySize); err == nil {
		if qs, probs, err := decodeEntry(name, b); err == nil {
			touchEntry(path)
			return qs, probs
		}
	}
	qs, probs := ParseFile(name, data)
	if b, err := encodeEntry(qs, probs); err == nil {
		pruneOnce(dir)
		if f, err := os.CreateTemp(dir, ".tmp-*"); err == nil {
			_, werr := f.Write(b)
			cerr := f.Close()
			if werr != nil || cerr != nil || os.Rename(f.Name(), path) != nil {
				_ = os.Remove(f.Name())
			}
		}
	}
	return qs, probs
}

// The cache format is a small hand-written binary encoding (length
// prefixed strings, tagged values): decoding it is many times faster than
// parsing YAML, which is the point of the cache.

type encoder struct{ b []byte }

func (e *encoder) uint(n uint64) { e.b = binary.AppendUvarint(e.b, n) }
func (e *encoder) int(n int64)   { e.b = binary.AppendVarint(e.b, n) }
func (e *encoder) str(s string)  { e.uint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *encoder) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}
func (e *encoder) strs(ss []string) {
	e.uint(uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}

const (
	tNil byte = iota
	tString
	tInt
	tFloat
	tBool
	tList
	tMap
	tTime
)

func (e *encoder) value(v any) error {
	switch x := v.(type) {
	case nil:
		e.b = append(e.b, tNil)
	case string:
		e.b = append(e.b, tString)
		e.str(x)
	case int:
		e.b = append(e.b, tInt)
		e.int(int64(x))
	case float64:
		e.b = append(e.b, tFloat)
		e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(x))
	case bool:
		e.b = append(e.b, tBool)
		e.bool(x)
	case []any:
		e.b = append(e.b, tList)
		e.uint(uint64(len(x)))
		for _, it := range x {
			if err := e.value(it); err != nil {
				return err
			}
		}
	case map[string]any:
		e.b = append(e.b, tMap)
		e.uint(uint64(len(x)))
		for k, it := range x {
			e.str(k)
			if err := e.value(it); err != nil {
				return err
			}
		}
	case time.Time:
		b, err := x.MarshalBinary()
		if err != nil {
			return err
		}
		e.b = append(e.b, tTime)
		e.str(string(b))
	default:
		return fmt.Errorf("cannot cache a %T", v)
	}
	return nil
}

func encodeEntry(qs []*Query, probs []Problem) ([]byte, error) {
	e := &encoder{b: make([]byte, 0, 4096)}
	e.str(codeVersion())
	e.uint(uint64(len(qs)))
	for _, q := range qs {
		e.str(q.Family)
		e.str(q.Name)
		e.str(q.Description)
		e.str(q.Template)
		e.str(q.URI)
		e.strs(q.Environments)
		e.int(int64(q.Line))
		if err := e.value(q.Metadata); err != nil {
			return nil, err
		}
		e.uint(uint64(len(q.Params)))
		for _, p := range q.Params {
			e.str(p.Name)
			e.str(p.Type)
			e.str(p.Description)
			if err := e.value(p.Default); err != nil {
				return nil, err
			}
			e.bool(p.HasDefault)
			e.strs(p.Aliases)
			e.str(p.Format)
		}
	}
	e.uint(uint64(len(probs)))
	for _, p := range probs {
		e.int(int64(p.Line))
		e.str(p.Query)
		e.str(p.Field)
		e.str(p.Message)
		e.bool(p.Warning)
	}
	return e.b, nil
}

var errCorrupt = errors.New("corrupt cache entry")

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uint() uint64 {
	if d.err != nil {
		return 0
	}
	n, k := binary.Uvarint(d.b)
	if k <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[k:]
	return n
}

func (d *decoder) int() int64 {
	if d.err != nil {
		return 0
	}
	n, k := binary.Varint(d.b)
	if k <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[k:]
	return n
}

func (d *decoder) count() int {
	n := d.uint()
	if n > uint64(len(d.b)) { // every element takes at least one byte
		d.err = errCorrupt
		return 0
	}
	return int(n)
}

func (d *decoder) str() string {
	n := d.count()
	if d.err != nil {
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) byte() byte {
	if d.err != nil || len(d.b) == 0 {
		d.err = errCorrupt
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) bool() bool { return d.byte() == 1 }

func (d *decoder) strs() []string {
	n := d.count()
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

func (d *decoder) value(depth int) any {
	if depth > 100 {
		d.err = errCorrupt
		return nil
	}
	switch d.byte() {
	case tNil:
		return nil
	case tString:
		return d.str()
	case tInt:
		return int(d.int())
	case tFloat:
		if len(d.b) < 8 {
			d.err = errCorrupt
			return nil
		}
		f := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
		d.b = d.b[8:]
		return f
	case tBool:
		return d.bool()
	case tList:
		n := d.count()
		out := make([]any, n)
		for i := range out {
			out[i] = d.value(depth + 1)
		}
		return out
	case tMap:
		n := d.count()
		out := make(map[string]any, n)
		for i := 0; i < n && d.err == nil; i++ {
			k := d.str()
			out[k] = d.value(depth + 1)
		}
		return out
	case tTime:
		var t time.Time
		if err := t.UnmarshalBinary([]byte(d.str())); err != nil {
			d.err = errCorrupt
		}
		return t
	}
	d.err = errCorrupt
	return nil
}

func decodeEntry(name string, b []byte) ([]*Query, []Problem, error) {
	d := &decoder{b: b}
	if d.str() != codeVersion() {
		return nil, nil, errCorrupt
	}
	n := d.count()
	qs := make([]*Query, 0, n)
	prepared := map[string]*render.Prepared{}
	for i := 0; i < n && d.err == nil; i++ {
		q := &Query{File: name}
		q.Family, q.Name, q.Description, q.Template, q.URI = d.str(), d.str(), d.str(), d.str(), d.str()
		q.Environments = d.strs()
		q.Line = int(d.int())
		q.Metadata, _ = d.value(0).(map[string]any)
		np := d.count()
		q.Params = make([]render.Param, np)
		for j := range q.Params {
			p := &q.Params[j]
			p.Name, p.Type, p.Description = d.str(), d.str(), d.str()
			p.Default = d.value(0)
			p.HasDefault = d.bool()
			p.Aliases = d.strs()
			p.Format = d.str()
		}
		if d.err != nil {
			break
		}
		// the copies of one source (one per family) share one Prepared
		key := q.Name + "\x00" + q.Template
		p, ok := prepared[key]
		if !ok {
			p = render.NewPrepared(q.Template, q.Params)
			prepared[key] = p
		}
		q.Prepared = p
		qs = append(qs, q)
	}
	np := d.count()
	probs := make([]Problem, 0, np)
	for i := 0; i < np && d.err == nil; i++ {
		probs = append(probs, Problem{File: name, Line: int(d.int()), Query: d.str(), Field: d.str(), Message: d.str(), Warning: d.bool()})
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, nil, errCorrupt
	}
	return qs, probs, nil
}

// Entries unused for entryMaxAge are removed (other builds' entries, files
// since edited or gone); a used entry's time is refreshed at most daily.
const entryMaxAge = 30 * 24 * time.Hour

// touchEntry marks an entry as used (its modification time), at most once
// a day, so pruning keeps it.
func touchEntry(path string) {
	if st, err := os.Lstat(path); err == nil && st.Mode().IsRegular() && time.Since(st.ModTime()) > 24*time.Hour {
		now := time.Now()
		_ = os.Chtimes(path, now, now)
	}
}

var pruned sync.Map // cache folders pruned by this process

// pruneOnce removes, once per process and folder (when the first new
// entry is written), the entries of dir unused for entryMaxAge.
func pruneOnce(dir string) {
	if _, done := pruned.LoadOrStore(dir, true); done {
		return
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > entryMaxAge {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
