package plugin

import (
	"context"
	"errors"
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/registry"
)

func write(t testing.TB, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func names(reg *registry.Registry, k registry.Kind) string {
	return strings.Join(reg.Names(k), ",")
}

func TestLoadScenarioFolders(t *testing.T) {
	for _, dir := range []string{"testdata/scenario-starlark", "testdata/scenario-exec"} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			reg := registry.New()
			rep := Load(context.Background(), reg, []string{dir}, Options{})
			defer rep.Close()
			if err := rep.Err(); err != nil {
				t.Fatal(err)
			}
			if got := names(reg, registry.KindTI); got != "Provider1,Provider2" {
				t.Errorf("ti names %s", got)
			}
			if got := names(reg, registry.KindContext); got != "ContextProviderTest" {
				t.Errorf("context names %s", got)
			}
			if got := names(reg, registry.KindData); got != "CustomDataProvA,SQLProdProvider,SQLTestProvider" {
				t.Errorf("data names %s (CustomDataProvB must not answer to its own name)", got)
			}
			if _, err := reg.Lookup(registry.KindData, "CustomDataProvB"); !errors.Is(err, registry.ErrNotFound) {
				t.Errorf("CustomDataProvB registered: %v", err)
			}
			if len(rep.QueryFiles) != 2 || !strings.HasSuffix(rep.QueryFiles[0], "custom_a_queries.yaml") {
				t.Errorf("query files %v", rep.QueryFiles)
			}
			if len(rep.Loaded) != 5 {
				t.Errorf("loaded %d: %+v", len(rep.Loaded), rep.Loaded)
			}
			for _, l := range rep.Loaded {
				if !filepath.IsAbs(l.Path) || l.Way == "" {
					t.Errorf("loaded entry %+v", l)
				}
			}
		})
	}
}

// TestBadFilesReportedOnce: every bad file is reported once with its path
// and reason; the good ones load; a clash keeps the first in sorted order
// and names both files.
func TestBadFilesReportedOnce(t *testing.T) {
	mk := func(order []int) (string, *Report, *registry.Registry) {
		dir := t.TempDir()
		files := []struct{ name, text string }{
			{"a_good.star", "PROVIDER_NAME = 'Good'\ndef lookup(i, t, s):\n    return None\n"},
			{"b_syntax.star", "def lookup(:\n"},
			{"c_notplugin.yaml", "hello: world\n"},
			{"d_badexpr.yaml", "kind: ti\nprovider_name: BadExpr\nbase_url: https://x.example\nqueries:\n  ipv4: {path: \"/ip/{observable}\"}\nresult:\n  found: 'status == == 200'\n"},
			{"e_dup.star", "PROVIDER_NAME = 'Dup'\ndef lookup(i, t, s):\n    return None\n"},
			{"f_dup.star", "PROVIDER_NAME = 'dup'\ndef lookup(i, t, s):\n    return None\n"},
			{"g_manifest/plugin.yaml", "kind: ti\ncommand: [x]\nbogus: 1\n"},
			{"h_noprog/plugin.yaml", "kind: ti\ncommand: [./missing-program]\n"},
			{"i_module.py", "class X: pass\n"},
			{"j_data.yaml", "kind: data\nprovider_name: D\n"},
			{"k_badyaml.yaml", "kind: [ti\n"},
			{"README.md", "docs\n"},
			{".hidden.star", "def lookup(:\n"},     // dot files are ignored
			{"notes/inner.star", "def lookup(:\n"}, // no recursion into sub-folders without plugin.yaml
		}
		for _, i := range order {
			write(t, dir, files[i].name, files[i].text)
		}
		reg := registry.New()
		rep := Load(context.Background(), reg, []string{dir}, Options{})
		t.Cleanup(func() { rep.Close() })
		return dir, rep, reg
	}
	fwd := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}
	rev := []int{13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0}
	dir, rep, reg := mk(fwd)
	want := map[string]string{
		"b_syntax.star":          "b_syntax.star:1:",
		"c_notplugin.yaml":       "not a plugin file",
		"d_badexpr.yaml":         "d_badexpr.yaml:7: result.found",
		"f_dup.star":             "e_dup.star",
		"g_manifest/plugin.yaml": "bogus",
		"h_noprog/plugin.yaml":   "missing-program",
		"j_data.yaml":            "declarative providers are ti or context",
		"k_badyaml.yaml":         "not valid YAML",
	}
	got := map[string]string{}
	for _, p := range rep.Problems {
		rel, _ := filepath.Rel(dir, p.Path)
		if _, dup := got[rel]; dup {
			t.Errorf("%s reported twice", rel)
		}
		got[rel] = p.Error()
	}
	for f, w := range want {
		msg, ok := got[f]
		if !ok {
			t.Errorf("%s not reported; problems: %v", f, got)
			continue
		}
		if !strings.Contains(msg, w) || !strings.Contains(msg, filepath.Join(dir, f)) {
			t.Errorf("%s: %q does not contain %q and the path", f, msg, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("problems %v", got)
	}
	if n := names(reg, registry.KindTI); n != "Dup,Good" {
		t.Errorf("registered %s", n)
	}
	r, _ := reg.Lookup(registry.KindTI, "dup")
	if !strings.HasSuffix(r.Source.Path, "e_dup.star") {
		t.Errorf("clash: %s stayed, want the first in sorted order", r.Source.Path)
	}
	if len(rep.Notes) != 1 || !strings.HasSuffix(rep.Notes[0].Path, "i_module.py") {
		t.Errorf("notes %+v", rep.Notes)
	}
	// The outcome does not depend on the order files were created in.
	dir2, rep2, reg2 := mk(rev)
	if names(reg2, registry.KindTI) != names(reg, registry.KindTI) || len(rep2.Problems) != len(rep.Problems) {
		t.Fatalf("order changed the outcome")
	}
	for i := range rep.Problems {
		a := strings.ReplaceAll(rep.Problems[i].Error(), dir, "D")
		b := strings.ReplaceAll(rep2.Problems[i].Error(), dir2, "D")
		if a != b {
			t.Errorf("problem %d differs:\n%s\n%s", i, a, b)
		}
	}
}

// TestOutcomeIndependentOfOrder: the same plugin files, good and bad, are
// visited in every rotation of the sorted order (by renaming them); what
// registers, what is reported and which query files are found stay the
// same, so a bad file never affects the files after it.
func TestOutcomeIndependentOfOrder(t *testing.T) {
	files := []struct{ name, text string }{
		{"alpha.star", "PROVIDER_NAME = 'Alpha'\ndef lookup(i, t, s):\n    return None\n"},
		{"broken.star", "def lookup(:\n"},
		{"decl.yaml", "kind: ti\nprovider_name: Decl\nbase_url: https://x.example\nqueries:\n  ipv4: {path: '/ip/{observable}'}\nresult:\n  found: 'status == 200'\n"},
		{"badexpr.yaml", "kind: context\nprovider_name: BadExpr\nbase_url: https://x.example\nqueries:\n  ipv4: {path: '/ip/{observable}'}\nresult:\n  found: 'status =='\n"},
		{"exe/plugin.yaml", "kind: context\nprovider_name: Exe\ncommand: [./run.sh]\n"},
		{"exe/run.sh", "#!/bin/sh\nexit 1\n"},
		{"badman/plugin.yaml", "kind: ti\nprovider_name: BadMan\ncommand: [./run.sh]\nlimit: {}\n"},
		{"queries.yaml", "metadata: {data_environments: [DataEnv]}\nsources:\n  q: {description: d, query: 'x', args: {}}\n"},
		{"nokind.yaml", "hello: world\n"},
		{"data.star", "DATA_ENVIRONMENTS = ['DataEnv']\ndef query(text, params):\n    return []\n"},
		{"toplevel.star", "PROVIDER_NAME = 'Top'\nfail('at load')\ndef lookup(i, t, s):\n    return None\n"},
	}
	prefix := regexp.MustCompile(`(^|/)\d\d_`)
	type outcome struct{ registered, problems, queries string }
	run := func(rot int) outcome {
		dir := t.TempDir()
		// The top-level entries, renamed so that rotation rot comes first.
		var tops []string
		for _, f := range files {
			top, _, _ := strings.Cut(f.name, "/")
			if !slices.Contains(tops, top) {
				tops = append(tops, top)
			}
		}
		for _, f := range files {
			top, rest, sub := strings.Cut(f.name, "/")
			i := slices.Index(tops, top)
			name := fmt.Sprintf("%02d_%s", (i+len(tops)-rot)%len(tops), top)
			if sub {
				name += "/" + rest
			}
			write(t, dir, name, f.text)
		}
		reg := registry.New()
		rep := Load(context.Background(), reg, []string{dir}, Options{})
		defer rep.Close()
		var o outcome
		for _, k := range []registry.Kind{registry.KindTI, registry.KindContext, registry.KindData} {
			o.registered += string(k) + ":" + names(reg, k) + " "
		}
		var probs, qs []string
		for _, p := range rep.Problems {
			probs = append(probs, prefix.ReplaceAllString(strings.ReplaceAll(p.Error(), dir+string(filepath.Separator), ""), "$1"))
		}
		for _, q := range rep.QueryFiles {
			qs = append(qs, prefix.ReplaceAllString(filepath.Base(q), ""))
		}
		sort.Strings(probs)
		o.problems, o.queries = strings.Join(probs, "\n"), strings.Join(qs, ",")
		return o
	}
	want := run(0)
	if want.registered != "ti:Alpha,Decl context:Exe data:DataEnv " || want.queries != "queries.yaml" || strings.Count(want.problems, "\n") != 4 {
		t.Fatalf("outcome:\n%s\n%s\n%s", want.registered, want.problems, want.queries)
	}
	for rot := 1; rot < 10; rot++ { // 10 top-level entries
		if got := run(rot); got != want {
			t.Errorf("rotation %d changed the outcome:\n%+v\nwant\n%+v", rot, got, want)
		}
	}
}

func TestMissingFolderOthersLoad(t *testing.T) {
	reg := registry.New()
	rep := Load(context.Background(), reg, []string{"testdata/no-such-folder", "testdata/scenario-starlark", "testdata/scenario-starlark"}, Options{})
	defer rep.Close()
	if len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].Error(), "does not exist") || !strings.Contains(rep.Problems[0].Error(), "no-such-folder") {
		t.Fatalf("problems %v", rep.Problems)
	}
	if len(rep.Loaded) != 5 || len(rep.Notes) != 1 {
		t.Fatalf("loaded %d notes %v", len(rep.Loaded), rep.Notes)
	}
}

func TestRelativeFolders(t *testing.T) {
	abs, _ := filepath.Abs("testdata")
	cwd, _ := os.Getwd()
	home, _ := os.UserHomeDir()
	cases := []struct{ in, base, want string }{
		{"scenario-exec", abs, filepath.Join(abs, "scenario-exec")},
		{"testdata/x/../scenario-exec", "", filepath.Join(cwd, "testdata", "scenario-exec")},
		{abs, "/elsewhere", abs},
		{"~/plugins", "/elsewhere", filepath.Join(home, "plugins")},
	}
	for _, c := range cases {
		if got := ResolveFolder(c.in, c.base); got != c.want {
			t.Errorf("ResolveFolder(%q, %q) = %q, want %q", c.in, c.base, got, c.want)
		}
	}
	// Config rule: relative to the config file's folder, whatever the CWD.
	reg := registry.New()
	rep := Load(context.Background(), reg, []string{"scenario-starlark"}, Options{BaseDir: abs})
	defer rep.Close()
	if rep.Err() != nil || len(rep.Loaded) != 5 {
		t.Fatalf("%v %d", rep.Err(), len(rep.Loaded))
	}
}

// TestLoadStartsNoProcess: loading and creating an instance start nothing;
// the first lookup does.
func TestLoadStartsNoProcess(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses a shell script")
	}
	sh, err := osexec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	marker := filepath.Join(dir, "started")
	write(t, dir, "p/plugin.yaml", "kind: ti\nprovider_name: Marker\ncommand: ["+sh+", run.sh]\nlimits: {start_timeout: 10s, shutdown_timeout: 200ms}\n")
	// The script marks that it started, then answers initialize (id 1) and
	// one lookup (id 2), so the first use returns once it has run.
	write(t, dir, "p/run.sh", "touch "+marker+"\nread line\necho '{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"protocol\":1}}'\n"+
		"read line\necho '{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"results\":[{\"id\":\"0\",\"status\":\"not_found\"}]}}'\nexec cat >/dev/null\n")
	reg := registry.New()
	rep := Load(context.Background(), reg, []string{dir}, Options{})
	defer rep.Close()
	if rep.Err() != nil {
		t.Fatal(rep.Err())
	}
	r, err := reg.Lookup(registry.KindTI, "Marker")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := r.Factory(context.Background(), registry.FactoryArgs{})
	if err != nil {
		t.Fatal(err)
	}
	// A process started by Load or Factory would have touched the marker
	// by now; this wait can only let such a bug pass, never fail a good run.
	time.Sleep(50 * time.Millisecond)
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("a process started before first use")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if r := inst.(lookup.Provider).Lookup(ctx, lookup.Item{Ioc: "1.2.3.4", Type: "ipv4"}); r.Status != lookup.StatusNotFound {
		t.Fatalf("first use: %v %q", r.Status, r.Message)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Fatal("first use did not start the plugin")
	}
}

func TestFolderIsOnePlugin(t *testing.T) {
	reg := registry.New()
	rep := Load(context.Background(), reg, []string{"testdata/scenario-exec/provider1"}, Options{})
	defer rep.Close()
	if rep.Err() != nil || len(rep.Loaded) != 1 || rep.Loaded[0].Name != "Provider1" || rep.Loaded[0].Way != WayExecutable {
		t.Fatalf("%v %+v", rep.Err(), rep.Loaded)
	}
	if len(rep.Loaded[0].TestData) != 1 {
		t.Errorf("test data %+v", rep.Loaded[0].TestData)
	}
}

func TestReportMergeSorted(t *testing.T) {
	a := &Report{QueryFiles: []string{"x"}}
	b := &Report{QueryFiles: []string{"y"}, Problems: []Problem{{Path: "p", Err: errors.New("bad")}}}
	a.Merge(b)
	if !sort.StringsAreSorted(a.QueryFiles) || a.Err() == nil || a.Err().Error() != "p: bad" {
		t.Fatalf("%+v %v", a, a.Err())
	}
}

// TestPluginNamedLikeBuiltin: for every way of writing a plugin, reusing a
// built-in's name is an error naming both sources (the built-in stays),
// unless the plugin asks to override; the override is then recorded for
// listings.
func TestPluginNamedLikeBuiltin(t *testing.T) {
	builtin := func() *registry.Registry {
		reg := registry.New()
		f := func(context.Context, registry.FactoryArgs) (any, error) { return nil, nil }
		reg.MustRegister(registry.Registration{Kind: registry.KindTI, Name: "BuiltinTI", Source: registry.Builtin, Factory: f})
		reg.MustRegister(registry.Registration{Kind: registry.KindData, Name: "BuiltinEnv", Source: registry.Builtin, Factory: f})
		return reg
	}
	decl := "kind: ti\nprovider_name: BuiltinTI\nbase_url: https://x.example\nqueries:\n  ipv4: {path: '/ip/{observable}'}\n%sresult:\n  found: 'status == 200'\n"
	star := "PROVIDER_NAME = 'BuiltinTI'\n%sdef lookup(i, t, s):\n    return None\n"
	starData := "DATA_ENVIRONMENTS = ['Other', 'builtinenv']\n%sdef query(text, params):\n    return []\n"
	manifest := "kind: ti\nprovider_name: BuiltinTI\ncommand: [./run.sh]\n%s"
	tests := []struct {
		way, file, text, yes string
		kind                 registry.Kind
		name                 string
	}{
		{WayDeclarative, "p.yaml", decl, "override: true\n", registry.KindTI, "BuiltinTI"},
		{WayStarlark, "p.star", star, "OVERRIDE = True\n", registry.KindTI, "BuiltinTI"},
		{WayStarlark, "d.star", starData, "OVERRIDE = True\n", registry.KindData, "BuiltinEnv"},
		{WayExecutable, "e/plugin.yaml", manifest, "override: true\n", registry.KindTI, "BuiltinTI"},
	}
	for _, tt := range tests {
		for _, override := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s %s override=%v", tt.way, tt.file, override), func(t *testing.T) {
				dir := t.TempDir()
				extra := ""
				if override {
					extra = tt.yes
				}
				path := write(t, dir, tt.file, fmt.Sprintf(tt.text, extra))
				if tt.way == WayExecutable {
					write(t, filepath.Dir(path), "run.sh", "#!/bin/sh\nexit 1\n")
					path = filepath.Dir(path) // the source of an executable plugin is its folder
				}
				reg := builtin()
				rep := Load(context.Background(), reg, []string{dir}, Options{})
				defer rep.Close()
				r, err := reg.Lookup(tt.kind, tt.name)
				if err != nil {
					t.Fatal(err)
				}
				if !override {
					if len(rep.Problems) != 1 || len(rep.Loaded) != 0 {
						t.Fatalf("problems %v loaded %+v", rep.Problems, rep.Loaded)
					}
					msg := rep.Problems[0].Error()
					if !errors.Is(rep.Problems[0], registry.ErrDuplicate) || !strings.Contains(msg, "builtin") || !strings.Contains(msg, "plugin:"+path) {
						t.Errorf("clash error %q does not name both sources", msg)
					}
					if r.Source != registry.Builtin {
						t.Errorf("%s now comes from %s; the built-in must stay", tt.name, r.Source)
					}
					return
				}
				if err := rep.Err(); err != nil || len(rep.Loaded) != 1 {
					t.Fatalf("override: %v, loaded %+v", err, rep.Loaded)
				}
				if r.Source.Path != path || r.Overrode == nil || *r.Overrode != registry.Builtin {
					t.Errorf("after the override %s is from %s (overrode %v)", tt.name, r.Source, r.Overrode)
				}
			})
		}
	}
}

// TestEveryProblemOwnRow: every problem of a plugin file is its own
// Problem (one row in plugins validate, one stderr line, counted once),
// never only the first and never several joined into one.
func TestEveryProblemOwnRow(t *testing.T) {
	tests := []struct {
		name string
		file string
		text string
		want []string // one per expected problem, in order
	}{
		{"executable manifest", "e/plugin.yaml",
			"kind: tii\nbogus: 1\ncommand: [python3, x.py]\nlimits: {concurrency: -1, call_timeout: soon}\nioc_types: [ipv9]\n",
			[]string{":1: kind:", ":2: bogus:", ":4: limits.call_timeout:", ":4: limits.concurrency:", ":5: ioc_types:"}},
		{"declarative definition", "d.yaml",
			"kind: ti\nprovider_name: D\nbase_url: https://x.example\nqueries:\n  ipv4: {path: \"/ip/{observable}\"}\nresult:\n  found: 'status == 200 &&& response.x'\n  severity: 'foo('\n  bogus_key: x\n",
			[]string{":7: result.found:", ":8: result.severity:", ":9: result.bogus_key:"}},
		{"starlark script", "s.star", "KIND = \"bogus\"\nSETTINGS = [{\"nam\": \"x\"}]\n",
			[]string{":1:1: KIND:", ":2:1: SETTINGS: item 1: unknown key", ":2:1: SETTINGS: item 1: name is required"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := write(t, dir, tc.file, tc.text)
			rep := Load(context.Background(), registry.New(), []string{dir}, Options{})
			t.Cleanup(func() { rep.Close() })
			if len(rep.Problems) != len(tc.want) {
				t.Fatalf("got %d problems, want %d: %v", len(rep.Problems), len(tc.want), rep.Err())
			}
			for i, w := range tc.want {
				p := rep.Problems[i]
				if msg := p.Error(); p.Path != path || !strings.Contains(msg, path+w) || strings.Contains(msg, "\n") {
					t.Errorf("problem %d = %q (path %s), want one line with %q", i+1, msg, p.Path, path+w)
				}
			}
		})
	}
}
