package lookup

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/msticgo/msticgo/internal/cachefile"
)

// quota counts calls per UTC day against a daily limit. With a folder the
// count persists across runs (file <folder>/<quota identity>-<hash>.quota.json,
// see ProviderSpec.QuotaID), so repeated runs on one day share the budget.
type quota struct {
	mu    sync.Mutex
	limit int
	path  string
	now   func() time.Time
	day   string
	count int
	dirty bool
}

type quotaFile struct {
	Day   string `json:"day"`
	Count int    `json:"count"`
}

func newQuota(id string, limit int, dir string, now func() time.Time) *quota {
	q := &quota{limit: limit, now: now}
	if limit <= 0 {
		return q
	}
	if dir != "" {
		q.path = filepath.Join(dir, fileName(id)+".quota.json")
		if b, err := cachefile.ReadFile(q.path, 1<<20); err == nil { // never waits on a FIFO
			var f quotaFile
			if json.Unmarshal(b, &f) == nil {
				q.day, q.count = f.Day, f.Count
			}
		}
	}
	return q
}

// take uses one call of the budget; false when the day's budget is spent.
func (q *quota) take() bool {
	if q.limit <= 0 {
		return true
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	day := q.now().UTC().Format(time.DateOnly)
	if day != q.day {
		q.day, q.count = day, 0
	}
	if q.count >= q.limit {
		return false
	}
	q.count++
	q.dirty = true
	return true
}

// refund gives back one call taken with take that never reached the
// provider (no connection was made, or the run was interrupted first).
func (q *quota) refund() {
	if q.limit <= 0 {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.count > 0 && q.day == q.now().UTC().Format(time.DateOnly) {
		q.count--
		q.dirty = true
	}
}

func (q *quota) save() error {
	if q.limit <= 0 || q.path == "" {
		return nil
	}
	q.mu.Lock()
	f := quotaFile{Day: q.day, Count: q.count}
	dirty := q.dirty
	q.dirty = false
	q.mu.Unlock()
	if !dirty {
		return nil
	}
	b, _ := json.Marshal(f)
	return writeFileAtomic(q.path, b)
}

func writeFileAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return nil
}
