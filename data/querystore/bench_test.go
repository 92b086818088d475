package querystore_test

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/msticgo/msticgo/data/querystore"
	"github.com/msticgo/msticgo/data/render"
	"github.com/msticgo/msticgo/internal/testcorpus"
)

// BenchmarkLoadCorpus loads and validates all 50 MSTICPy corpus files
// (read from memory, so the figure is parsing + validation).
func BenchmarkLoadCorpus(b *testing.B) {
	dir := testcorpus.Path(b, "queries-msticpy")
	files, err := querystore.QueryFiles(os.DirFS(dir), ".")
	if err != nil || len(files) != 50 {
		b.Fatalf("%d files, %v", len(files), err)
	}
	data := make([][]byte, len(files))
	for i, f := range files {
		if data[i], err = os.ReadFile(filepath.Join(dir, f)); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("sequential", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s := querystore.New()
			for i, f := range files {
				s.LoadBytes(f, data[i])
			}
			if len(s.Errors()) != 0 {
				b.Fatal(s.Errors())
			}
		}
	})
	fsys := fstest.MapFS{}
	for i, f := range files {
		fsys[f] = &fstest.MapFile{Data: data[i]}
	}
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s := querystore.New()
			if err := s.LoadFS(fsys, ".", "corpus"); err != nil || len(s.Errors()) != 0 {
				b.Fatal(err, s.Errors())
			}
		}
	})
}

// BenchmarkRenderKQL renders a typical Sentinel query (table default,
// host name in a string literal, start/end ISO datetimes).
func BenchmarkRenderKQL(b *testing.B) {
	dir := testcorpus.Path(b, "queries-msticpy")
	s := querystore.New()
	if err := s.LoadFile(filepath.Join(dir, "mssentinel", "kql_sent_winevent_logon.yaml")); err != nil {
		b.Fatal(err)
	}
	q, err := s.Get("MSSentinel", "WindowsSecurity.list_host_logons")
	if err != nil {
		b.Fatal(err)
	}
	params := map[string]any{"host_name": "WIN-01", "start": "2024-03-01T00:00:00Z", "end": "2024-03-02T12:30:00Z"}
	opt := render.Options{Style: render.StyleFor("MSSentinel"), Now: time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := q.Prepared.Render(params, opt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadCorpusCached loads the 50 files with a warm parse cache
// (what every CLI run after the first does).
func BenchmarkLoadCorpusCached(b *testing.B) {
	dir := testcorpus.Path(b, "queries-msticpy")
	cache := b.TempDir()
	warm := querystore.New()
	warm.SetCacheDir(cache)
	if err := warm.LoadPath(dir); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		s := querystore.New()
		s.SetCacheDir(cache)
		if err := s.LoadPath(dir); err != nil || len(s.Errors()) != 0 || s.Files() != 50 {
			b.Fatal(err, s.Errors())
		}
	}
}
