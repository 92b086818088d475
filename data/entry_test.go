package data_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/msticgo/msticgo/config"
	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/registry"
)

func TestConfigEntry(t *testing.T) {
	reg := registry.New()
	f := func(context.Context, registry.FactoryArgs) (any, error) { return nil, nil }
	for _, r := range []registry.Registration{
		{Kind: registry.KindData, Name: "SQLTestProvider", Aliases: []string{"SQLProdProvider"}, Factory: f},
		{Kind: registry.KindData, Name: "LocalData", Factory: f},
	} {
		if err := reg.Register(r); err != nil {
			t.Fatal(err)
		}
	}
	entries := []config.ProviderEntry{
		{Section: "DataProviders", Name: "Prod", Provider: "SQLProdProvider"},
		{Section: "DataProviders", Name: "LocalData", Provider: "LocalData"},
	}
	tests := []struct {
		name, env, wantEntry, wantName string
		ok                             bool
	}{
		{"entry name wins, its Provider is loaded", "prod", "Prod", "SQLProdProvider", true},
		{"entry whose Provider is the same driver", "SQLTestProvider", "Prod", "SQLTestProvider", true},
		{"entry named like the driver", "localdata", "LocalData", "LocalData", true},
		{"registered driver without an entry", "Nothing", "", "Nothing", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, name, ok, err := data.ConfigEntry(reg, entries, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.ok || e.Name != tt.wantEntry || name != tt.wantName {
				t.Errorf("ConfigEntry(%q) = %q, %q, %v; want %q, %q, %v", tt.env, e.Name, name, ok, tt.wantEntry, tt.wantName, tt.ok)
			}
		})
	}
	// Without a registry entry for the driver, only the entry name matches.
	if _, _, ok, err := data.ConfigEntry(registry.New(), entries, "SQLTestProvider"); ok || err != nil {
		t.Errorf("matched an entry through an unregistered driver (%v)", err)
	}
	// Two entries for one driver, neither named as asked: an error naming
	// both (nothing picked silently); each is still reachable by its name.
	two := append(entries, config.ProviderEntry{Section: "DataProviders", Name: "Test", Provider: "SQLTestProvider"})
	_, _, ok, err := data.ConfigEntry(reg, two, "sqltestprovider")
	if ok || !errors.Is(err, data.ErrSettings) || !strings.Contains(err.Error(), "DataProviders entries Prod, Test all configure the SQLTestProvider driver") {
		t.Errorf("ambiguous entries: ok %v, err %v", ok, err)
	}
	for _, n := range []string{"Prod", "test"} {
		if e, _, ok, err := data.ConfigEntry(reg, two, n); !ok || err != nil || !strings.EqualFold(e.Name, n) {
			t.Errorf("entry %s: %q %v %v", n, e.Name, ok, err)
		}
	}
}
