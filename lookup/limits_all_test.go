package lookup

import (
	"strings"
	"testing"

	"github.com/msticgo/msticgo/config"
)

// TestEveryBadLimitSettingReported: an entry with several bad limit
// settings names all of them, not only the first (new-user review 3).
func TestEveryBadLimitSettingReported(t *testing.T) {
	tests := []struct {
		args map[string]string
		want []string
	}{
		{map[string]string{"RateLimit": "lots", "Burst": "many"}, []string{"setting Burst", "setting RateLimit"}},
		{map[string]string{"Timeout": "soon", "RateLimit": "lots", "Retries": "-1"}, []string{"setting Retries", "setting Timeout", "setting RateLimit"}},
		{map[string]string{"Burst": "3", "Timeout": "45"}, nil},
	}
	for _, tt := range tests {
		l, err := LimitsFromArgs(tt.args)
		if tt.want == nil {
			if err != nil || l.Burst != 3 {
				t.Errorf("%v: %v %+v", tt.args, err, l)
			}
			continue
		}
		if err == nil {
			t.Fatalf("%v: no error", tt.args)
		}
		lines := strings.Split(err.Error(), "\n")
		if len(lines) != len(tt.want) {
			t.Errorf("%v: %q", tt.args, err)
		}
		for i, w := range tt.want {
			if i < len(lines) && !strings.HasPrefix(lines[i], w) {
				t.Errorf("%v: line %d = %q, want %s...", tt.args, i, lines[i], w)
			}
		}
		specs, _ := EntrySpecs([]config.ProviderEntry{{Name: "Bad", Provider: "X", Args: settings(tt.args)}})
		if len(specs) != 1 || len(specs[0].SettingProblems) != len(tt.want) || strings.Contains(specs[0].NotConfigured, "\n") {
			t.Errorf("%v: spec %+v", tt.args, specs)
		}
	}
}

func settings(m map[string]string) []config.Setting {
	var out []config.Setting
	for k, v := range m {
		out = append(out, config.Setting{Key: k, Value: v, Raw: v, Resolved: true})
	}
	return out
}

// TestMaxBatchFromArgs: MaxBatch in an entry's Args is read, as
// providers.md says (it was accepted but ignored).
func TestMaxBatchFromArgs(t *testing.T) {
	l, err := LimitsFromArgs(map[string]string{"maxbatch": "25"})
	if err != nil || l.MaxBatch != 25 {
		t.Errorf("%+v %v", l, err)
	}
	if _, err := LimitsFromArgs(map[string]string{"MaxBatch": "lots"}); err == nil || !strings.Contains(err.Error(), "setting MaxBatch") {
		t.Errorf("bad MaxBatch: %v", err)
	}
}
