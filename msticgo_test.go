package msticgo_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/msticgo/msticgo"
	"github.com/msticgo/msticgo/config"
	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/registry"
)

var runs int

func writeFile(t *testing.T, path, text string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLoadPluginsFromConfig: with no folders, LoadPlugins reads the
// PluginFolders of the discovered config (MSTICPYCONFIG), relative to that
// file; a missing folder is one problem naming it and the others load;
// the query files of the folders reach QueryProvider.
func TestLoadPluginsFromConfig(t *testing.T) {
	// registry.Default is process-wide: a fresh name per run (-count=N).
	runs++
	env := fmt.Sprintf("RootTestEnv%d", runs)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "plugins", "RootTest.star"),
		"PROVIDER_NAME = 'RootTestData'\nDATA_ENVIRONMENTS = ['"+env+"']\ndef connect(settings):\n    return True\ndef query(text, params):\n    return [{'text': text, 'as': params['settings']['loaded_as'], 'key': params['settings'].get('Key', '')}]\n")
	writeFile(t, filepath.Join(dir, "plugins", "queries.yaml"),
		"metadata:\n  version: 1\n  description: root test\n  data_environments: ["+env+"]\n  data_families: [RootFam]\nsources:\n  hello:\n    description: says hello\n    args:\n      query: hello from the plugin folder\n    parameters: {}\n")
	cfgPath := writeFile(t, filepath.Join(dir, "msticpyconfig.yaml"),
		"PluginFolders: [plugins, no-such-folder]\nDataProviders:\n  MyEnv:\n    Provider: "+env+"\n    Args:\n      Key: k-123\n  Unset:\n    Provider: "+env+"\n    Args:\n      Key:\n        EnvironmentVar: ROOT_TEST_UNSET_VAR\n")
	t.Setenv("MSTICPYCONFIG", cfgPath)
	t.Setenv("ROOT_TEST_UNSET_VAR", "")

	ctx := context.Background()
	rep, err := msticgo.LoadPlugins(ctx)
	defer rep.Close()
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "no-such-folder")) || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("error %v does not name the missing folder", err)
	}
	if len(rep.Problems) != 1 || len(rep.Loaded) != 1 || rep.Loaded[0].Name != env || len(rep.QueryFiles) != 1 {
		t.Fatalf("report: loaded %+v problems %v query files %v", rep.Loaded, rep.Problems, rep.QueryFiles)
	}
	if _, err := registry.Default.Lookup(registry.KindData, strings.ToLower(env)); err != nil {
		t.Fatalf("not in the default registry: %v", err)
	}

	// The entry name selects the driver and hands it the entry's settings.
	qp, err := msticgo.QueryProvider(ctx, "MyEnv", msticgo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer qp.Close()
	run, err := qp.Run(ctx, "RootFam.hello", nil, data.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	row := run.Result.Frame.Rows[0]
	if row[0] != "hello from the plugin folder" || row[1] != env || row[2] != "k-123" {
		t.Errorf("row %v", row)
	}
	// An entry whose secret is not set is not configured, and says why.
	if _, err := msticgo.QueryProvider(ctx, "Unset", msticgo.Options{}); err == nil || !strings.Contains(err.Error(), "ROOT_TEST_UNSET_VAR not set") {
		t.Errorf("unset secret: %v", err)
	}
	// Asked by the driver's name, the two entries for it are ambiguous:
	// an error naming both, not a silent pick of the first.
	if _, err := msticgo.QueryProvider(ctx, env, msticgo.Options{}); !errors.Is(err, data.ErrSettings) || !strings.Contains(err.Error(), "DataProviders entries MyEnv, Unset all configure") {
		t.Errorf("ambiguous entries: %v", err)
	}
	// An unknown environment is an error with the registered names.
	if _, err := msticgo.QueryProvider(ctx, "NoSuchEnv", msticgo.Options{}); !errors.Is(err, data.ErrUnknownEnvironment) {
		t.Errorf("unknown environment: %v", err)
	}
	// Loading again does not clash with itself; the missing folder is
	// tried (and reported) again.
	rep2, err := msticgo.LoadPlugins(ctx)
	defer rep2.Close()
	if len(rep2.Loaded) != 1 || len(rep2.Problems) != 1 || err == nil {
		t.Errorf("second load: %+v %v", rep2, err)
	}
}

func TestEntryPointErrors(t *testing.T) {
	ctx := context.Background()
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	tests := []struct {
		name string
		call func() error
		want string
		is   error
	}{
		{"LoadConfig missing explicit path", func() error { _, err := msticgo.LoadConfig(missing); return err }, missing, config.ErrMissing},
		{"MSTICPYCONFIG missing", func() error {
			t.Setenv("MSTICPYCONFIG", missing)
			_, err := msticgo.TILookup(ctx, msticgo.Options{})
			return err
		}, "MSTICPYCONFIG", config.ErrMissing},
		{"LoadPlugins with a missing config", func() error {
			t.Setenv("MSTICPYCONFIG", missing)
			_, err := msticgo.LoadPlugins(ctx)
			return err
		}, missing, config.ErrMissing},
		{"no context providers", func() error {
			_, err := msticgo.ContextLookup(ctx, msticgo.Options{Config: config.Embedded()})
			return err
		}, "built-in defaults", lookup.ErrNoProviders},
		{"isolated registry has no built-ins", func() error {
			// not an error: the entry is not configured, its rows say why
			eng, err := msticgo.TILookup(ctx, msticgo.Options{Config: config.Embedded(), Registry: registry.New()})
			if err != nil {
				return err
			}
			defer eng.Close()
			return errors.New(eng.Providers()[0].NotConfigured)
		}, `unknown provider type "Feeds"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v does not wrap %v", err, tt.is)
			}
		})
	}
}

// TestQueryProviderLocalDataTopLevelPaths: the Go API reads MSTICPy's
// top-level LocalData.data_paths as the CLI does.
func TestQueryProviderLocalDataTopLevelPaths(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "data", "Logons.csv"), "Account,Count\nalice,3\n")
	tests := []struct {
		name, text string
	}{
		{"top-level section only", "LocalData:\n  data_paths: [data]\n"},
		{"with an empty DataProviders entry", "DataProviders:\n  LocalData: {}\nLocalData:\n  data_paths:\n    - " + filepath.Join(dir, "data") + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse([]byte(tt.text), filepath.Join(dir, "msticpyconfig.yaml"), func(string) string { return "" })
			if err != nil {
				t.Fatal(err)
			}
			qp, err := msticgo.QueryProvider(context.Background(), "LocalData", msticgo.Options{Config: cfg})
			if err != nil {
				t.Fatal(err)
			}
			defer qp.Close()
			res, err := qp.Exec(context.Background(), "logons.csv", 0)
			if err != nil {
				t.Fatal(err)
			}
			if res.Frame.Len() != 1 || res.Frame.Rows[0][0] != "alice" {
				t.Errorf("rows %v", res.Frame.Rows)
			}
		})
	}
}
