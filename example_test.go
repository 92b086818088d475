package msticgo_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/msticgo/msticgo"
	"github.com/msticgo/msticgo/config"
	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/lookup"
)

// Read a msticpyconfig.yaml: entries, their provider types and Primary
// flags; relative PluginFolders are resolved against the file's folder.
func ExampleLoadConfig() {
	cfg, err := msticgo.LoadConfig("testdata/msticpyconfig.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range cfg.TIProviders {
		fmt.Println(e.Name, e.Provider, e.Primary)
	}
	fmt.Println(strings.HasSuffix(cfg.PluginFolders[0], "plugin/testdata/scenario-starlark"))
	// Output:
	// Provider1 Provider1 true
	// Feeds Feeds false
	// true
}

// MSTICPy's load_plugins: register a plugin folder's providers and see
// what registered. Loading the same folder again reports the same outcome.
func ExampleLoadPlugins() {
	ctx := context.Background()
	rep, err := msticgo.LoadPlugins(ctx, "plugin/testdata/scenario-starlark")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rep.Close()
	for _, l := range rep.Loaded {
		fmt.Println(l.Kind, l.Name, l.Aliases, l.Way)
	}
	fmt.Println("query files:", len(rep.QueryFiles))
	again, err := msticgo.LoadPlugins(ctx, "plugin/testdata/scenario-starlark")
	fmt.Println("again:", len(again.Loaded), err)
	// Output:
	// context ContextProviderTest [] starlark
	// data CustomDataProvA [] starlark
	// ti Provider1 [] starlark
	// ti Provider2 [] declarative
	// data SQLTestProvider [SQLProdProvider] starlark
	// query files: 2
	// again: 5 <nil>
}

// MSTICPy's QueryProvider on a plugin driver: opened as SQLProdProvider
// (one of its DATA_ENVIRONMENTS), the driver knows the name it was loaded
// under, and the plugin folder's query files are its queries.
func ExampleQueryProvider() {
	ctx := context.Background()
	cfg, err := msticgo.LoadConfig("testdata/msticpyconfig.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := msticgo.LoadPlugins(ctx, cfg.PluginFolders...)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rep.Close()
	qp, err := msticgo.QueryProvider(ctx, "SQLProdProvider", msticgo.Options{Config: cfg})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer qp.Close()
	if err := qp.Connect(ctx, ""); err != nil {
		fmt.Println(err)
		return
	}
	run, err := qp.Run(ctx, "CustomSQL.accessibility_persistence", nil, data.RunOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	f := run.Result.Frame
	fmt.Println(f.Names(), f.Rows[0][1])
	// Output:
	// [ID A B C] SQLProdProvider
}

// A hunting query on the embedded sample data, with the built-in defaults.
func ExampleQueryProvider_builtin() {
	ctx := context.Background()
	qp, err := msticgo.QueryProvider(ctx, "Sample", msticgo.Options{Config: config.Embedded()})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer qp.Close()
	run, err := qp.Run(ctx, "Network.list_public_destinations", nil, data.RunOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	f := run.Result.Frame
	fmt.Println(f.Names()[:3], f.Rows[0][0], f.Rows[0][1])
	// Output:
	// [Computer DestinationIP DestinationPort] SRV-WEB01 91.234.254.144
}

// The main job: a hunting query on the embedded sample data, its
// destination addresses looked up in the embedded offline feeds.
func ExampleEnrich() {
	ctx := context.Background()
	opts := msticgo.Options{Config: config.Embedded()}
	qp, err := msticgo.QueryProvider(ctx, "Sample", opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer qp.Close()
	run, err := qp.Run(ctx, "Network.list_public_destinations", nil, data.RunOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	eng, err := msticgo.TILookup(ctx, opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eng.Close()
	res, err := msticgo.Enrich(ctx, eng, run.Result.Frame, "auto")
	if err != nil {
		fmt.Println(err)
		return
	}
	f := res.Frame
	sev, matched := f.ColumnIndex("TISeverity"), f.ColumnIndex("TIMatched")
	fmt.Println(res.Columns, f.Len() == run.Result.Frame.Len())
	fmt.Println(f.Rows[0][1], f.Rows[0][sev], f.Rows[0][matched])
	// Output:
	// [DestinationIP] true
	// 91.234.254.144 high Feeds
}

// MSTICPy's TILookup: the Primary TIProviders of the built-in defaults
// (the embedded offline feeds) look up indicators, defanged or not.
func ExampleTILookup() {
	ctx := context.Background()
	eng, err := msticgo.TILookup(ctx, msticgo.Options{Config: config.Embedded()})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eng.Close()
	rows, _, err := eng.Rows(ctx, []lookup.Input{{Value: "91.234.254[.]144"}, {Value: "20.1.2.3"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rows {
		fmt.Println(r.Provider, r.Result.Status, r.Result.Severity)
	}
	// Output:
	// Feeds found high
	// Feeds not found information
}

// Named providers instead of the Primary ones: a plugin TI provider
// (Provider1 of MSTICPy's plugin tests) beside the built-in feeds.
func ExampleTILookup_providers() {
	ctx := context.Background()
	cfg, err := msticgo.LoadConfig("testdata/msticpyconfig.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, _ := msticgo.LoadPlugins(ctx, cfg.PluginFolders...)
	defer rep.Close()
	eng, err := msticgo.TILookup(ctx, msticgo.Options{Config: cfg}, "Provider1", "Feeds")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eng.Close()
	frame, _, err := eng.Lookup(ctx, []lookup.Input{{Value: "20.1.2.3", Type: "ipv4"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, s := frame.ColumnIndex("Provider"), frame.ColumnIndex("StatusName")
	for _, row := range frame.Rows {
		fmt.Println(row[p], row[s])
	}
	// Output:
	// Provider1 found
	// Feeds not found
}

// MSTICPy's ContextLookup over the ContextProviders entries.
func ExampleContextLookup() {
	ctx := context.Background()
	cfg, err := msticgo.LoadConfig("testdata/msticpyconfig.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, _ := msticgo.LoadPlugins(ctx, cfg.PluginFolders...)
	defer rep.Close()
	eng, err := msticgo.ContextLookup(ctx, msticgo.Options{Config: cfg})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eng.Close()
	rows, _, err := eng.Rows(ctx, []lookup.Input{{Value: "10.0.0.5", Type: "ipv4"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rows[0].Provider, rows[0].Result.Status)
	// Output:
	// ContextProviderTest found
}
