package data_test

import (
	"context"
	"errors"
	"testing"

	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/registry"
)

// A MSTICPy environment msticgo has no driver for is not "unknown".
func TestNewUserEnvironmentWithoutDriver(t *testing.T) {
	reg := registry.New()
	reg.MustRegister(registry.Registration{Kind: registry.KindData, Name: "LocalData", Source: registry.Builtin,
		Factory: func(ctx context.Context, a registry.FactoryArgs) (any, error) { return nil, nil }})
	tests := []struct{ env, want string }{
		{"MSSentinel", `data environment "MSSentinel" has no driver in msticgo (drivers: LocalData)`},
		{"LogAnalytics", `data environment "LogAnalytics" (MSTICPy's MSSentinel) has no driver in msticgo (drivers: LocalData)`},
	}
	for _, tt := range tests {
		_, err := data.ResolveEnvironment(reg, tt.env)
		if err == nil || err.Error() != tt.want || !errors.Is(err, data.ErrUnknownEnvironment) {
			t.Errorf("%s: got %v, want %q", tt.env, err, tt.want)
		}
	}
}
