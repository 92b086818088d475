package contextprov

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

// Definitions returns every embedded context definition, sorted by file
// name, parsed once.
func Definitions() ([]*httpprov.Definition, error) {
	parseOnce.Do(func() {
		names, err := fs.Glob(defs, "defs/*.yaml")
		if err != nil {
			parseErr = err
			return
		}
		sort.Strings(names)
		for _, n := range names {
			data, err := defs.ReadFile(n)
			if err != nil {
				parseErr = err
				return
			}
			d, err := httpprov.ParseDefinition("contextprov/"+path.Base(n), data)
			if err != nil {
				parseErr = err
				return
			}
			if d.Kind != registry.KindContext {
				parseErr = fmt.Errorf("contextprov/%s: kind is %s, want context", path.Base(n), d.Kind)
				return
			}
			parsed = append(parsed, d)
		}
	})
	return append([]*httpprov.Definition(nil), parsed...), parseErr
}

// Register adds every built-in context definition to r with Source builtin.
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
