// Package builtin owns msticgo's built-in HTTP TI providers: one YAML
// definition per provider in defs/, embedded in the binary and registered
// into registry.Default (Source builtin) when the package is imported. The
// definitions use the same format and loader as plugin files
// (ti/httpprov), so there is no list of providers in code.
package builtin

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"sync"

	"github.com/msticgo/msticgo/registry"
	"github.com/msticgo/msticgo/ti/httpprov"
)

//go:embed defs/*.yaml
var defs embed.FS

var (
	parseOnce sync.Once
	parsed    []*httpprov.Definition
	parseErr  error
)

// Definitions returns every embedded definition, sorted by file name. They
// are parsed once; definitions are read-only and safe to share.
func Definitions() ([]*httpprov.Definition, error) {
	parseOnce.Do(func() { parsed, parseErr = parseAll() })
	return append([]*httpprov.Definition(nil), parsed...), parseErr
}

func parseAll() ([]*httpprov.Definition, error) {
	names, err := fs.Glob(defs, "defs/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]*httpprov.Definition, 0, len(names))
	for _, n := range names {
		data, err := defs.ReadFile(n)
		if err != nil {
			return nil, err
		}
		d, err := httpprov.ParseDefinition("builtin/"+path.Base(n), data)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Register adds every built-in definition to r with Source builtin.
func Register(r *registry.Registry) error {
	ds, err := Definitions()
	if err != nil {
		return err
	}
	for _, d := range ds {
		if err := r.Register(d.Registration(registry.Builtin)); err != nil {
			return fmt.Errorf("built-in %s: %w", d.File, err)
		}
	}
	return nil
}

func init() {
	if err := Register(registry.Default); err != nil {
		panic(err)
	}
}
