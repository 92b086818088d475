// Package srcdigest digests a package's embedded Go source, so caches can
// key their entries on the code that made them. It imports nothing of
// msticgo.
package srcdigest

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"strings"
)

// Of is the hex SHA-256 of every .go file at the top of fsys but tests
// (name, then content, in name order). fsys is the package's own
// `//go:embed *.go` (the embed must stay in each package).
func Of(fsys fs.FS) string {
	h := sha256.New()
	entries, _ := fs.ReadDir(fsys, ".")
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		b, _ := fs.ReadFile(fsys, e.Name())
		h.Write([]byte(e.Name()))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}
