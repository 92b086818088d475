// Package localdata owns msticgo's LocalData data driver, with MSTICPy's
// semantics: the text of a query names a data file, found by name under the
// configured data paths, and the query returns the file's rows.
//
// Settings (DataProviders.LocalData.Args): data_paths, a list of folders
// separated by ";" or "," (relative ones resolve against the config file's
// folder); default ".". MSTICPy keeps the list in the top-level
// LocalData.data_paths section of msticpyconfig.yaml: the registration
// names that section (Meta "config_section"), so the CLI passes it through
// the same data_paths setting when DataProviders.LocalData does not set
// it. A non-empty connection string
// given to Connect replaces the configured paths.
//
// Every folder is scanned recursively for *.csv, *.json, *.ndjson, *.jsonl,
// *.parquet and *.pkl files, keyed by lower-cased file name (a later
// duplicate wins, as in MSTICPy). The query text is matched against those
// names case-insensitively; a text holding a path separator is taken as a
// path relative to one of the data paths (it may not leave it). A query
// naming x.pkl reads x.parquet, x.csv, x.json, x.ndjson or x.jsonl (first
// found) when one exists, so MSTICPy query files keep working unchanged
// once their pickles are converted.
//
// Formats: CSV with a header row (a UTF-8 byte-order mark is dropped; an
// empty header becomes "Unnamed: N" as pandas names it); JSON, either an
// array of records or a stream of objects (NDJSON / JSON lines); Parquet
// (flat schemas, through parquet-go). Column types are inferred: a column
// whose every non-empty value is an integer (no leading zeros) is int, a
// number float, true/false bool, an ISO-like date-time time (UTC when no
// zone is given); anything else stays string. Pickle files are Python-only:
// the driver rejects them with the command that converts them to Parquet.
//
// A missing or unreadable file is a rejected query (data.ErrRejected), with
// the file, line and reason.
package localdata

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/registry"
)

// Name is the data environment this package registers.
const Name = "LocalData"

func init() {
	registry.Default.MustRegister(registry.Registration{
		Kind:        registry.KindData,
		Name:        Name,
		Description: "Local CSV, JSON, NDJSON and Parquet files named by the query text (MSTICPy LocalData)",
		Source:      registry.Builtin,
		Factory: func(ctx context.Context, a registry.FactoryArgs) (any, error) {
			paths, err := ParseSettings(a.Settings, a.BaseDir)
			if err != nil {
				return nil, fmt.Errorf("data provider %s: %w: %w", a.Entry, data.ErrSettings, err)
			}
			return New(paths, a.Logger), nil
		},
		// config_section: the CLI also reads MSTICPy's top-level
		// LocalData.data_paths (for keys the DataProviders entry lacks).
		Meta: map[string]any{"settings": []string{"data_paths"}, "config_section": "LocalData"},
	})
}

// ParseSettings reads the data_paths setting (keys matched ignoring case
// and underscores; unknown keys are an error naming them). Relative paths
// resolve against baseDir.
func ParseSettings(s map[string]string, baseDir string) ([]string, error) {
	var paths []string
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.ToLower(strings.ReplaceAll(k, "_", "")) != "datapaths" {
			return nil, fmt.Errorf("unknown LocalData setting %q (valid: data_paths)", k)
		}
		paths = append(paths, SplitPaths(s[k])...)
	}
	for i, p := range paths {
		if !filepath.IsAbs(p) && baseDir != "" {
			paths[i] = filepath.Join(baseDir, p)
		}
	}
	return paths, nil
}

// SplitPaths splits a list of folders separated by ";" or ",", trimming
// blanks and dropping empty entries.
func SplitPaths(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Driver is the LocalData driver. It needs no Connect (as in MSTICPy);
// Connect with a non-empty string replaces the data paths.
type Driver struct {
	logger *slog.Logger

	mu    sync.Mutex
	paths []string
	files map[string]string // lower-case file name → path
}

// New returns a driver over the given folders ("." when none).
func New(paths []string, logger *slog.Logger) *Driver {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	return &Driver{logger: logger, paths: paths}
}

// Dialect reports "" (the query text is a file name, nothing to escape).
func (d *Driver) Dialect() string { return "" }

// CurrentConnection lists the data paths joined by "; ", as MSTICPy does.
func (d *Driver) CurrentConnection() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return strings.Join(d.paths, "; ")
}

// Connect replaces the data paths with connStr (";" or "," separated) when
// it is not empty, and (re)scans them.
func (d *Driver) Connect(ctx context.Context, connStr string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if p := SplitPaths(connStr); len(p) > 0 {
		d.paths = p
	}
	d.files = nil
	_, err := d.indexLocked()
	return err
}

// Files returns the data files found, keyed by lower-cased file name.
func (d *Driver) Files() (map[string]string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	m, err := d.indexLocked()
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out, err
}

// supported reports whether a file name has an extension the driver lists.
func supported(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".json", ".ndjson", ".jsonl", ".parquet", ".pkl":
		return true
	}
	return false
}

func (d *Driver) indexLocked() (map[string]string, error) {
	if d.files != nil {
		return d.files, nil
	}
	files := map[string]string{}
	var missing []string
	for _, root := range d.paths {
		st, err := os.Stat(root)
		if err != nil || !st.IsDir() {
			missing = append(missing, root)
			continue
		}
		err = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if err != nil {
				d.logger.Warn("localdata: cannot read folder entry", "path", p, "error", err)
				return nil
			}
			if !e.IsDir() && supported(e.Name()) {
				files[strings.ToLower(e.Name())] = p
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if len(missing) == len(d.paths) {
		return nil, fmt.Errorf("%w: localdata: no data path is a readable folder: %s", data.ErrConnect, strings.Join(missing, "; "))
	}
	for _, m := range missing {
		d.logger.Warn("localdata: data path not found, skipped", "path", m)
	}
	d.files = files
	return files, nil
}

// resolve finds the file a query text names.
func (d *Driver) resolve(text string) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	name := strings.TrimSpace(text)
	if name == "" {
		return "", fmt.Errorf("%w: localdata: empty query (it should name a data file)", data.ErrRejected)
	}
	if strings.ContainsAny(name, `/\`) {
		rel := filepath.Clean(filepath.FromSlash(strings.ReplaceAll(name, `\`, "/")))
		if filepath.IsAbs(rel) || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return "", fmt.Errorf("%w: localdata: data file (%s) must be a path inside the data paths", data.ErrRejected, name)
		}
		for _, root := range d.paths {
			p := filepath.Join(root, rel)
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p, nil
			}
		}
	} else {
		files, err := d.indexLocked()
		if err != nil {
			return "", err
		}
		key := strings.ToLower(name)
		if strings.HasSuffix(key, ".pkl") {
			// A converted copy beside (or instead of) the pickle is used, so
			// MSTICPy query files naming x.pkl work unchanged.
			base := strings.TrimSuffix(key, ".pkl")
			for _, ext := range []string{".parquet", ".csv", ".json", ".ndjson", ".jsonl"} {
				if p, ok := files[base+ext]; ok {
					return p, nil
				}
			}
		}
		if p, ok := files[key]; ok {
			return p, nil
		}
	}
	hint := ""
	if strings.HasSuffix(strings.ToLower(name), ".pkl") {
		hint = " (nor a converted copy with .parquet, .csv or .json in its place)"
	}
	return "", &missingFile{name: name, paths: d.paths, hint: hint}
}

// missingFile is a data file the query names that no data path holds: a
// rejected query (exit 1 in the CLI) that is also fs.ErrNotExist.
type missingFile struct {
	name, hint string
	paths      []string
}

func (e *missingFile) Unwrap() []error { return []error{data.ErrRejected, fs.ErrNotExist} }

func (e *missingFile) Error() string {
	shown := make([]string, len(e.paths))
	for i, p := range e.paths {
		shown[i] = p
		if abs, err := filepath.Abs(p); err == nil && abs != p {
			shown[i] = fmt.Sprintf("%s (%s)", p, abs)
		}
	}
	return fmt.Sprintf("localdata: data file %q not found in the data paths: %s%s", e.name, strings.Join(shown, "; "), e.hint)
}

// Query reads the file the query text names. When q.Limit > 0 and the file
// has more rows, the result holds the first Limit rows and is Truncated.
func (d *Driver) Query(ctx context.Context, q data.Query) (*data.Result, error) {
	path, err := d.resolve(q.Text)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := ReadFile(path)
	if err != nil {
		// unreadable, malformed or a pickle: the query named a file the
		// driver cannot serve
		return nil, fmt.Errorf("%w: localdata: %w", data.ErrRejected, err)
	}
	res := &data.Result{Frame: f}
	if q.Limit > 0 && f.Len() > q.Limit {
		f.Rows = f.Rows[:q.Limit]
		res.Truncated = true
		res.Code = fmt.Sprintf("row_limit: stopped after %d rows", q.Limit)
	}
	return res, nil
}

// Interface guards.
var (
	_ data.Driver  = (*Driver)(nil)
	_ data.Dialect = (*Driver)(nil)
)
