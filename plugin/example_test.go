package plugin_test

import (
	"context"
	"fmt"

	"github.com/msticgo/msticgo/plugin"
	"github.com/msticgo/msticgo/registry"
)

// Load a plugin folder into a registry and list what registered.
func ExampleLoad() {
	reg := registry.New()
	rep := plugin.Load(context.Background(), reg, []string{"testdata/scenario-starlark"}, plugin.Options{})
	defer rep.Close()
	for _, l := range rep.Loaded {
		fmt.Println(l.Kind, l.Name, l.Aliases, l.Way)
	}
	fmt.Println("query files:", len(rep.QueryFiles), "problems:", len(rep.Problems))
	// Output:
	// context ContextProviderTest [] starlark
	// data CustomDataProvA [] starlark
	// ti Provider1 [] starlark
	// ti Provider2 [] declarative
	// data SQLTestProvider [SQLProdProvider] starlark
	// query files: 2 problems: 0
}
