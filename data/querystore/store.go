package querystore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/msticgo/msticgo/data/dataenv"
	"github.com/msticgo/msticgo/registry"
)

// Store holds loaded queries. Load* methods add to it; problems found on
// the way are kept (Problems) and never lose what loaded before. It is
// safe for concurrent reads after loading.
type Store struct {
	mu      sync.RWMutex
	queries []*Query
	// index: lower(env) → lower(Family.Name) → query (first kept)
	index    map[string]map[string]*Query
	problems []Problem
	files    int
	cacheDir string
}

// New returns an empty store.
func New() *Store { return &Store{index: map[string]map[string]*Query{}} }

// Problems returns every problem recorded so far (errors and warnings).
func (s *Store) Problems() []Problem {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]Problem(nil), s.problems...)
}

// Errors returns the problems that rejected a file or query.
func (s *Store) Errors() []Problem {
	var out []Problem
	for _, p := range s.Problems() {
		if !p.Warning {
			out = append(out, p)
		}
	}
	return out
}

// Files is the number of files read.
func (s *Store) Files() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.files
}

// Add adds parsed queries. The same Family.Name for the same environment
// from a second file is a warning naming both files; the first is kept.
func (s *Store) Add(qs []*Query) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, q := range qs {
		kept := false
		for _, env := range q.Environments {
			e := strings.ToLower(env)
			m := s.index[e]
			if m == nil {
				m = map[string]*Query{}
				s.index[e] = m
			}
			key := strings.ToLower(q.FullName())
			if old, ok := m[key]; ok {
				if old.File != q.File || old.Line != q.Line {
					s.problems = append(s.problems, Problem{File: q.File, Line: q.Line, Query: q.FullName(), Warning: true, Kept: old.File,
						Message: fmt.Sprintf("already defined for environment %s in %s:%d; keeping that one", env, old.File, old.Line)})
				}
				continue
			}
			m[key] = q
			kept = true
		}
		if kept {
			s.queries = append(s.queries, q)
		}
	}
}

// LoadBytes parses data as the file name and adds its queries.
func (s *Store) LoadBytes(name string, data []byte) {
	qs, probs := s.parse(name, data)
	s.mu.Lock()
	s.problems = append(s.problems, probs...)
	s.files++
	s.mu.Unlock()
	s.Add(qs)
}

// LoadFile reads one file.
func (s *Store) LoadFile(p string) error {
	data, err := os.ReadFile(p)
	if err != nil {
		s.mu.Lock()
		s.problems = append(s.problems, Problem{File: p, Message: err.Error()})
		s.mu.Unlock()
		return err
	}
	s.LoadBytes(p, data)
	return nil
}

// LoadPath reads a file, or every *.yaml then *.yml file under a folder
// (recursively, sorted), as MSTICPy does. A missing path is an error
// (and recorded as a problem).
func (s *Store) LoadPath(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		s.mu.Lock()
		s.problems = append(s.problems, Problem{File: p, Message: "query path not found: " + err.Error()})
		s.mu.Unlock()
		return fmt.Errorf("query path %s: %w", p, err)
	}
	if !st.IsDir() {
		return s.LoadFile(p)
	}
	return s.LoadFS(os.DirFS(p), ".", p)
}

// LoadFS reads every *.yaml then *.yml file under root in fsys; label
// prefixes file names in problems (a folder or "embedded:<name>").
func (s *Store) LoadFS(fsys fs.FS, root, label string) error {
	files, err := QueryFiles(fsys, root)
	if err != nil {
		return err
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = joinLabel(label, f)
	}
	s.loadMany(names, func(i int) ([]byte, error) { return fs.ReadFile(fsys, files[i]) })
	return nil
}

// loadMany reads and parses files concurrently (YAML parsing dominates
// loading) and adds them in order, so results do not depend on timing.
func (s *Store) loadMany(names []string, read func(i int) ([]byte, error)) {
	type parsed struct {
		qs    []*Query
		probs []Problem
	}
	out := make([]parsed, len(names))
	work := func(i int) {
		data, err := read(i)
		if err != nil {
			out[i].probs = []Problem{{File: names[i], Message: err.Error()}}
			return
		}
		out[i].qs, out[i].probs = s.parse(names[i], data)
	}
	workers := min(runtime.GOMAXPROCS(0), len(names))
	if workers <= 1 {
		for i := range names {
			work(i)
		}
	} else {
		var wg sync.WaitGroup
		next := make(chan int)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					work(i)
				}
			}()
		}
		for i := range names {
			next <- i
		}
		close(next)
		wg.Wait()
	}
	for _, p := range out {
		s.mu.Lock()
		s.problems = append(s.problems, p.probs...)
		s.files++
		s.mu.Unlock()
		s.Add(p.qs)
	}
}

// parse parses one file (through the parse cache when one is set).
func (s *Store) parse(name string, data []byte) ([]*Query, []Problem) {
	s.mu.RLock()
	dir := s.cacheDir
	s.mu.RUnlock()
	if dir == "" {
		return ParseFile(name, data)
	}
	return s.parseCached(dir, name, data)
}

func joinLabel(label, f string) string {
	if label == "" {
		return f
	}
	if strings.HasPrefix(label, "embedded:") {
		return label + "/" + f
	}
	return filepath.Join(label, filepath.FromSlash(f))
}

// QueryFiles lists *.yaml files then *.yml files under root, each sorted.
func QueryFiles(fsys fs.FS, root string) ([]string, error) {
	var yamls, ymls []string
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		switch strings.ToLower(path.Ext(p)) {
		case ".yaml":
			yamls = append(yamls, p)
		case ".yml":
			ymls = append(ymls, p)
		}
		return nil
	})
	sort.Strings(yamls)
	sort.Strings(ymls)
	return append(yamls, ymls...), err
}

// Environments lists the environments that have queries (canonical
// names as written in the files), sorted.
func (s *Store) Environments() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	seen := map[string]bool{}
	var out []string
	for _, q := range s.queries {
		for _, e := range q.Environments {
			if !seen[strings.ToLower(e)] {
				seen[strings.ToLower(e)] = true
				out = append(out, e)
			}
		}
	}
	sort.Strings(out)
	return out
}

// List returns the queries of an environment ("" = all) whose family is
// family or nested under it ("" = all), sorted by family then name.
func (s *Store) List(env, family string) []*Query {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []*Query
	if env == "" {
		seen := map[*Query]bool{}
		for _, q := range s.queries {
			if !seen[q] && familyMatch(q.Family, family) {
				seen[q] = true
				out = append(out, q)
			}
		}
	} else {
		for _, q := range s.index[strings.ToLower(dataenv.Canonical(env))] {
			if familyMatch(q.Family, family) {
				out = append(out, q)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Family != out[j].Family {
			return out[i].Family < out[j].Family
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func familyMatch(fam, want string) bool {
	if want == "" {
		return true
	}
	return strings.EqualFold(fam, want) || (len(fam) > len(want) && strings.EqualFold(fam[:len(want)], want) && fam[len(want)] == '.')
}

// Find returns every query named Family.name, whatever its environment
// (one entry per distinct query), in load order.
func (s *Store) Find(name string) []*Query {
	s.mu.RLock()
	defer s.mu.RUnlock()
	key := strings.ToLower(strings.TrimSpace(name))
	var out []*Query
	for _, q := range s.queries {
		if strings.ToLower(q.FullName()) == key {
			out = append(out, q)
		}
	}
	return out
}

// ErrNotFound is wrapped when a query name is unknown.
var ErrNotFound = errors.New("query not found")

// Get finds Family.name for an environment ("" = any environment; the
// name must then be unique). Families and names match case-insensitively.
// A miss is an error with a "did you mean".
func (s *Store) Get(env, name string) (*Query, error) {
	s.mu.RLock()
	var cands []*Query
	key := strings.ToLower(strings.TrimSpace(name))
	if env != "" {
		if q, ok := s.index[strings.ToLower(dataenv.Canonical(env))][key]; ok {
			s.mu.RUnlock()
			return q, nil
		}
	} else {
		seen := map[*Query]bool{}
		for _, m := range s.index {
			if q, ok := m[key]; ok && !seen[q] {
				seen[q] = true
				cands = append(cands, q)
			}
		}
	}
	s.mu.RUnlock()
	switch len(cands) {
	case 1:
		return cands[0], nil
	case 0:
	default:
		var envs []string
		for _, q := range cands {
			envs = append(envs, strings.Join(q.Environments, "/")+" ("+q.File+")")
		}
		sort.Strings(envs)
		return nil, fmt.Errorf("query %s is defined for several environments: %s; choose one with --env", name, strings.Join(envs, ", "))
	}
	var names []string
	for _, q := range s.List(env, "") {
		names = append(names, q.FullName())
	}
	where := "any environment"
	if env != "" {
		where = "environment " + dataenv.Canonical(env)
	}
	msg := fmt.Sprintf("%s in %s", name, where)
	if !strings.Contains(name, ".") {
		msg += " (query names are Family.name)"
	}
	if rej := s.rejected(name); len(rej) > 0 {
		msg += "; a source of that name was rejected when its file loaded: " + strings.Join(rej, "; ")
	} else if sug := registry.Suggest(name, names); sug != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", sug)
	}
	return nil, fmt.Errorf("%w: %s", ErrNotFound, msg)
}

// rejected lists the load errors of sources named like the last segment
// of Family.name, so asking for a query that failed validation says why
// it is missing instead of only "not found".
func (s *Store) rejected(name string) []string {
	src := strings.TrimSpace(name)
	if i := strings.LastIndexByte(src, '.'); i >= 0 {
		src = src[i+1:]
	}
	if src == "" {
		return nil
	}
	var out []string
	for _, p := range s.Problems() {
		if !p.Warning && strings.EqualFold(p.Query, src) {
			out = append(out, p.Error())
		}
	}
	return out
}
