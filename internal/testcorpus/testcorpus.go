// Package testcorpus finds the shared test corpus (../shared/corpus beside
// the repository) for tests, and skips a test with a clear message when it
// is absent.
package testcorpus

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Root returns the corpus folder, or "" when it cannot be found. The
// MSTICGO_CORPUS environment variable overrides the default location.
func Root() string {
	if d := os.Getenv("MSTICGO_CORPUS"); d != "" {
		return d
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	// internal/testcorpus/testcorpus.go → module root → ../shared/corpus
	root := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "corpus")
	if st, err := os.Stat(root); err == nil && st.IsDir() {
		return root
	}
	return ""
}

// Path joins parts under the corpus root and skips the test if that path
// does not exist.
func Path(tb testing.TB, parts ...string) string {
	tb.Helper()
	root := Root()
	if root == "" {
		tb.Skip("shared corpus not found at ../shared/corpus (set MSTICGO_CORPUS): skipping corpus test")
	}
	p := filepath.Join(append([]string{root}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("corpus file %s not present: skipping", p)
	}
	return p
}
