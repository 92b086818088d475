package data_test

import (
	"context"
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
			e, name, ok := data.ConfigEntry(reg, entries, tt.env)
			if ok != tt.ok || e.Name != tt.wantEntry || name != tt.wantName {
				t.Errorf("ConfigEntry(%q) = %q, %q, %v; want %q, %q, %v", tt.env, e.Name, name, ok, tt.wantEntry, tt.wantName, tt.ok)
			}
		})
	}
	// Without a registry entry for the driver, only the entry name matches.
	if _, _, ok := data.ConfigEntry(registry.New(), entries, "SQLTestProvider"); ok {
		t.Error("matched an entry through an unregistered driver")
	}
}
