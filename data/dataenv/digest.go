package dataenv

import (
	"embed"
	"sync"

	"github.com/msticgo/msticgo/internal/srcdigest"
)

// source is this package's Go source, for SourceDigest.
//
//go:embed *.go
var source embed.FS

// SourceDigest is a digest of this package's Go source (tests left out):
// caches of parsed query files include it in their keys, so entries made
// by a build that parsed or rendered differently are never used.
var SourceDigest = sync.OnceValue(func() string { return srcdigest.Of(source) })
