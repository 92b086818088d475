package render

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"strings"
	"sync"
)

// source is this package's Go source, for SourceDigest.
//
//go:embed *.go
var source embed.FS

// SourceDigest is a digest of this package's Go source (tests left out):
// caches of parsed query files include it in their keys, so entries made
// by a build that parsed or rendered differently are never used.
var SourceDigest = sync.OnceValue(func() string {
	h := sha256.New()
	entries, _ := fs.ReadDir(source, ".")
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		b, _ := fs.ReadFile(source, e.Name())
		h.Write([]byte(e.Name()))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
})
