package registry

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// fakeDriver is what the test factories return; the factory records the name
// it was loaded under (MSTICPy's data_environment).
type fakeDriver struct{ loadedAs string }

func factory(_ context.Context, a FactoryArgs) (any, error) {
	return &fakeDriver{loadedAs: a.LoadedAs}, nil
}

func TestProviderName(t *testing.T) {
	tests := []struct {
		name, declared, typeName, want string
	}{
		{"declared name wins", "MyProvider", "MyProviderImpl", "MyProvider"},
		{"no declared name uses type name", "", "ContextProviderTest", "ContextProviderTest"},
		{"blank declared name uses type name", "   ", "TIProviderTest", "TIProviderTest"},
		{"declared name is trimmed", " Provider1 ", "TIProviderTest", "Provider1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ProviderName(tt.declared, tt.typeName); got != tt.want {
				t.Errorf("ProviderName(%q, %q) = %q, want %q", tt.declared, tt.typeName, got, tt.want)
			}
		})
	}
}

func TestDataNames(t *testing.T) {
	tests := []struct {
		name     string
		envs     []string
		typeName string
		want     []string
	}{
		{"list without type name", []string{"SQLTestProvider", "SQLProdProvider"}, "CustomDataProvB", []string{"SQLTestProvider", "SQLProdProvider"}},
		{"single name", []string{"LocalData"}, "LocalDataDriver", []string{"LocalData"}},
		{"list naming the type", []string{"Kusto", "KustoDriver"}, "KustoDriver", []string{"Kusto", "KustoDriver"}},
		{"no list uses type name", nil, "CustomDataProvA", []string{"CustomDataProvA"}},
		{"empty list uses type name", []string{}, "CustomDataProvA", []string{"CustomDataProvA"}},
		{"blank items dropped", []string{" ", "A"}, "T", []string{"A"}},
		{"case-insensitive duplicates dropped", []string{"A", "a", "B"}, "T", []string{"A", "B"}},
		{"only blanks uses type name", []string{"", " "}, "T", []string{"T"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DataNames(tt.envs, tt.typeName)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("DataNames(%q, %q) = %q, want %q", tt.envs, tt.typeName, got, tt.want)
			}
		})
	}
}

// register registers a provider named by MSTICPy's rules.
func registerData(t *testing.T, r *Registry, envs []string, typeName string, src Source) {
	t.Helper()
	names := DataNames(envs, typeName)
	if err := r.Register(Registration{Kind: KindData, Name: names[0], Aliases: names[1:], Source: src, Factory: factory}); err != nil {
		t.Fatalf("register %s: %v", typeName, err)
	}
}

func TestNamingRulesLookup(t *testing.T) {
	r := New()
	plugin := PluginSource("/plugins/ti_prov.py")
	for _, reg := range []Registration{
		{Kind: KindTI, Name: ProviderName("MyProvider", "MyProviderClass"), Source: plugin, Factory: factory},
		{Kind: KindTI, Name: ProviderName("", "NoNameProvider"), Source: plugin, Factory: factory},
		{Kind: KindContext, Name: ProviderName("", "ContextProviderTest"), Source: plugin, Factory: factory},
	} {
		if err := r.Register(reg); err != nil {
			t.Fatal(err)
		}
	}
	registerData(t, r, []string{"SQLTestProvider", "SQLProdProvider"}, "CustomDataProvB", plugin)
	registerData(t, r, nil, "CustomDataProvA", plugin)

	tests := []struct {
		kind     Kind
		name     string
		found    bool
		wantName string
	}{
		{KindTI, "MyProvider", true, "MyProvider"},
		{KindTI, "myprovider", true, "MyProvider"},
		{KindTI, "MYPROVIDER", true, "MyProvider"},
		{KindTI, " MyProvider ", true, "MyProvider"},
		{KindTI, "MyProviderClass", false, ""},
		{KindTI, "NoNameProvider", true, "NoNameProvider"},
		{KindTI, "nonameprovider", true, "NoNameProvider"},
		{KindContext, "ContextProviderTest", true, "ContextProviderTest"},
		{KindTI, "ContextProviderTest", false, ""}, // kinds are separate
		{KindData, "SQLTestProvider", true, "SQLTestProvider"},
		{KindData, "sqlprodprovider", true, "SQLTestProvider"},
		{KindData, "CustomDataProvB", false, ""},
		{KindData, "CustomDataProvA", true, "CustomDataProvA"},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind)+"/"+tt.name, func(t *testing.T) {
			reg, err := r.Lookup(tt.kind, tt.name)
			if !tt.found {
				if !errors.Is(err, ErrNotFound) {
					t.Fatalf("Lookup(%s, %q) = %v, %v; want ErrNotFound", tt.kind, tt.name, reg, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Lookup(%s, %q): %v", tt.kind, tt.name, err)
			}
			if reg.Name != tt.wantName {
				t.Errorf("Lookup(%s, %q).Name = %q, want %q", tt.kind, tt.name, reg.Name, tt.wantName)
			}
		})
	}
}

func TestDriverKnowsWhichNameLoadedIt(t *testing.T) {
	r := New()
	registerData(t, r, []string{"SQLTestProvider", "SQLProdProvider"}, "CustomDataProvB", PluginSource("/p/data_prov.py"))
	for _, asked := range []string{"SQLTestProvider", "SQLProdProvider", "sqlprodprovider"} {
		reg, err := r.Lookup(KindData, asked)
		if err != nil {
			t.Fatal(err)
		}
		inst, err := reg.Factory(context.Background(), FactoryArgs{LoadedAs: asked})
		if err != nil {
			t.Fatal(err)
		}
		if got := inst.(*fakeDriver).loadedAs; got != asked {
			t.Errorf("driver loaded as %q reports %q", asked, got)
		}
	}
}

func TestClashes(t *testing.T) {
	pluginA := PluginSource("/plugins/a/ti.py")
	pluginB := PluginSource("/plugins/b/ti.py")
	tests := []struct {
		name       string
		first      Registration
		second     Registration
		wantErr    bool
		wantSource Source // source of the registration that answers afterwards
		overrode   bool
	}{
		{
			name:       "two plugins with the same name",
			first:      Registration{Kind: KindTI, Name: "Provider1", Source: pluginA},
			second:     Registration{Kind: KindTI, Name: "Provider1", Source: pluginB},
			wantErr:    true,
			wantSource: pluginA,
		},
		{
			name:       "same name differing in case",
			first:      Registration{Kind: KindTI, Name: "Provider1", Source: pluginA},
			second:     Registration{Kind: KindTI, Name: "PROVIDER1", Source: pluginB},
			wantErr:    true,
			wantSource: pluginA,
		},
		{
			name:       "two plugins even with override",
			first:      Registration{Kind: KindTI, Name: "Provider1", Source: pluginA},
			second:     Registration{Kind: KindTI, Name: "Provider1", Source: pluginB, Override: true},
			wantErr:    true,
			wantSource: pluginA,
		},
		{
			name:       "alias clashes with a name",
			first:      Registration{Kind: KindData, Name: "SQLTestProvider", Source: pluginA},
			second:     Registration{Kind: KindData, Name: "Other", Aliases: []string{"sqltestprovider"}, Source: pluginB},
			wantErr:    true,
			wantSource: pluginA,
		},
		{
			name:       "plugin named like a built-in without override",
			first:      Registration{Kind: KindTI, Name: "VirusTotal", Source: Builtin},
			second:     Registration{Kind: KindTI, Name: "VirusTotal", Source: pluginA},
			wantErr:    true,
			wantSource: Builtin,
		},
		{
			name:       "plugin named like a built-in with override",
			first:      Registration{Kind: KindTI, Name: "VirusTotal", Source: Builtin},
			second:     Registration{Kind: KindTI, Name: "VirusTotal", Source: pluginA, Override: true},
			wantSource: pluginA,
			overrode:   true,
		},
		{
			name:       "built-in cannot override a built-in",
			first:      Registration{Kind: KindTI, Name: "VirusTotal", Source: Builtin},
			second:     Registration{Kind: KindTI, Name: "VirusTotal", Source: Builtin, Override: true},
			wantErr:    true,
			wantSource: Builtin,
		},
		{
			name:       "same name in different kinds is fine",
			first:      Registration{Kind: KindTI, Name: "Shared", Source: pluginA},
			second:     Registration{Kind: KindContext, Name: "Shared", Source: pluginB},
			wantSource: pluginA, // looked up as TI below
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := New()
			tt.first.Factory, tt.second.Factory = factory, factory
			if err := r.Register(tt.first); err != nil {
				t.Fatal(err)
			}
			err := r.Register(tt.second)
			if tt.wantErr {
				if err == nil {
					t.Fatal("second registration succeeded; want a clash error")
				}
				if !errors.Is(err, ErrDuplicate) {
					t.Errorf("error %v is not ErrDuplicate", err)
				}
				var de *DuplicateError
				if !errors.As(err, &de) {
					t.Fatalf("error %T is not *DuplicateError", err)
				}
				msg := err.Error()
				for _, src := range []Source{tt.first.Source, tt.second.Source} {
					if !strings.Contains(msg, src.String()) {
						t.Errorf("error %q does not name source %s", msg, src)
					}
				}
				// no alias of the failed registration was added
				for _, n := range tt.second.Aliases {
					if reg, err := r.Lookup(tt.second.Kind, n); err == nil && reg.Source != tt.first.Source {
						t.Errorf("alias %q of the failed registration was added", n)
					}
				}
				if len(r.List()) != 1 {
					t.Errorf("registry holds %d registrations, want 1", len(r.List()))
				}
			} else if err != nil {
				t.Fatalf("second registration: %v", err)
			}
			reg, err := r.Lookup(tt.first.Kind, tt.first.Name)
			if err != nil {
				t.Fatal(err)
			}
			if reg.Source != tt.wantSource {
				t.Errorf("after the clash %q comes from %s, want %s", tt.first.Name, reg.Source, tt.wantSource)
			}
			if tt.overrode {
				if reg.Overrode == nil || *reg.Overrode != tt.first.Source {
					t.Errorf("Overrode = %v, want %s (reported in listings)", reg.Overrode, tt.first.Source)
				}
				list := r.List(tt.first.Kind)
				if len(list) != 1 || list[0].Overrode == nil {
					t.Errorf("listing %+v does not report the override", list)
				}
			}
		})
	}
}

func TestRegisterRejectsBadRegistrations(t *testing.T) {
	r := New()
	for _, reg := range []Registration{
		{Kind: KindTI, Name: "", Factory: factory},
		{Kind: KindTI, Name: "NoFactory"},
		{Kind: Kind("weird"), Name: "X", Factory: factory},
	} {
		if err := r.Register(reg); err == nil {
			t.Errorf("Register(%+v) succeeded", reg)
		}
	}
}

func TestListSortedWithSourcesAndAliases(t *testing.T) {
	r := New()
	src := PluginSource("/p")
	for _, reg := range []Registration{
		{Kind: KindTI, Name: "zeta", Source: src},
		{Kind: KindContext, Name: "ctx", Source: Builtin},
		{Kind: KindTI, Name: "Alpha", Aliases: []string{"a1", "A1", "alpha"}, Source: Builtin},
		{Kind: KindData, Name: "Mid", Source: Source{Type: "go", Path: "example.com/x"}},
	} {
		reg.Factory = factory
		if err := r.Register(reg); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, reg := range r.List() {
		got = append(got, string(reg.Kind)+":"+reg.Name+"["+strings.Join(reg.Aliases, ",")+"]@"+reg.Source.String())
	}
	want := []string{"data:Mid[]@go:example.com/x", "ti:Alpha[a1]@builtin", "ti:zeta[]@plugin:/p", "context:ctx[]@builtin"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("List() = %v\nwant %v", got, want)
	}
	if names := r.Names(KindTI); strings.Join(names, ",") != "a1,Alpha,zeta" {
		t.Errorf("Names(ti) = %v", names)
	}
	if got := r.List(KindContext); len(got) != 1 || got[0].Name != "ctx" {
		t.Errorf("List(context) = %v", got)
	}
}

func TestNewIsIsolatedAndCloneIndependent(t *testing.T) {
	a, b := New(), New()
	if err := a.Register(Registration{Kind: KindTI, Name: "OnlyInA", Factory: factory}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Lookup(KindTI, "OnlyInA"); err == nil {
		t.Error("registries from New share registrations")
	}
	c := a.Clone()
	if err := c.Register(Registration{Kind: KindTI, Name: "OnlyInClone", Factory: factory}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Lookup(KindTI, "OnlyInClone"); err == nil {
		t.Error("registering in a clone changed the original")
	}
	if _, err := c.Lookup(KindTI, "onlyina"); err != nil {
		t.Errorf("clone lost a registration: %v", err)
	}
}

func TestSuggest(t *testing.T) {
	known := []string{"VirusTotal", "OTX", "XForce", "GreyNoise"}
	tests := []struct{ name, want string }{
		{"VirusTotl", "VirusTotal"},
		{"otx", "OTX"},
		{"Grey", "GreyNoise"}, // a prefix
		{"Shodan", ""},        // nothing close
		{"", ""},              // every name starts with "": no suggestion
		{"  ", ""},
	}
	for _, tt := range tests {
		if got := Suggest(tt.name, known); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestNotFoundSuggests(t *testing.T) {
	r := New()
	if err := r.Register(Registration{Kind: KindTI, Name: "VirusTotal", Factory: factory}); err != nil {
		t.Fatal(err)
	}
	_, err := r.Lookup(KindTI, "VirusTotl")
	if err == nil || !strings.Contains(err.Error(), `did you mean "VirusTotal"`) {
		t.Errorf("error %v lacks a suggestion", err)
	}
}

func TestParseKind(t *testing.T) {
	for in, want := range map[string]Kind{"data": KindData, "TI": KindTI, " context ": KindContext, "tiprovider": KindTI} {
		if got, err := ParseKind(in); err != nil || got != want {
			t.Errorf("ParseKind(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseKind("bogus"); err == nil {
		t.Error("ParseKind(bogus) succeeded")
	}
}
