package querystore

import (
	"io/fs"
	"sort"
	"sync"
)

var (
	embMu sync.Mutex
	emb   = map[string]fs.FS{}
)

// RegisterEmbedded adds a query pack compiled into the binary (for
// example with go:embed). Every *.yaml/*.yml file in fsys is loaded by
// LoadDefaults; problems name files as "embedded:<name>/<path>".
// Registering the same name twice panics (it is a programming error).
func RegisterEmbedded(name string, fsys fs.FS) {
	embMu.Lock()
	defer embMu.Unlock()
	if _, ok := emb[name]; ok {
		panic("querystore: embedded query pack " + name + " registered twice")
	}
	emb[name] = fsys
}

// EmbeddedNames lists the registered embedded packs, sorted.
func EmbeddedNames() []string {
	embMu.Lock()
	defer embMu.Unlock()
	out := make([]string, 0, len(emb))
	for k := range emb {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Sources says where to read queries from, in load order (first wins on
// duplicates).
type Sources struct {
	Paths    []string // --query-path folders or files
	Default  []string // config QueryDefinitions.Default
	Custom   []string // config QueryDefinitions.Custom
	Plugins  []string // plugin folders (query files found beside plugins)
	Embedded bool     // include registered embedded packs
	// CacheDir keeps parsed files (see Store.SetCacheDir); "" = none.
	CacheDir string
}

// Load builds a store from the sources: explicit paths, then config
// Custom, Default, plugin folders, then embedded packs. Missing folders
// are recorded as problems; nothing already loaded is lost.
func Load(src Sources) *Store {
	s := New()
	s.SetCacheDir(src.CacheDir)
	for _, group := range [][]string{src.Paths, src.Custom, src.Default, src.Plugins} {
		for _, p := range group {
			_ = s.LoadPath(p)
		}
	}
	if src.Embedded {
		for _, name := range EmbeddedNames() {
			embMu.Lock()
			fsys := emb[name]
			embMu.Unlock()
			_ = s.LoadFS(fsys, ".", "embedded:"+name)
		}
	}
	return s
}
