package cli

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/msticgo/msticgo/config"
	"github.com/msticgo/msticgo/registry"
)

// settingTyposConfig is the new user's t6.yaml (secret included, to check
// it is never shown), with XForce and a key nothing reads.
const settingTyposConfig = `TIProviders:
  VirusTotal:
    Args:
      AuthKey: Zq9SecretValue77
      Tiemout: 30
      BaseUrl: http://127.0.0.1:18777/api/v3
      RateLimt: 100
    Provider: VirusTotal
    Primry: true
  XForce:
    Args:
      ApiID: abcdefgh12345
      AuthKey: Zq9SecretValue77
      Tiemout: 30
      Flavour: mint
      RateLimit: 10/min
      timeout: 20
      MaxBatch: 5
`

// TestValidateReportsUnknownProviderSettings: misspelt Args keys of a TI
// entry (Tiemout, RateLimt) are warnings with their line and "did you
// mean"; a key the declarative provider does not read is a warning that
// says what it reads; known keys (any case) are not reported.
func TestValidateReportsUnknownProviderSettings(t *testing.T) {
	cfg := writeConfig(t, settingTyposConfig)
	r := run(t, nil, "--config", cfg, "-o", "ndjson", "config", "validate")
	if r.code != 0 {
		t.Fatalf("exit %d (warnings only); stderr %s", r.code, r.stderr)
	}
	got := map[string]string{}
	for _, row := range ndjsonRows(t, r.stdout) {
		p := row["path"].(string)
		if strings.Contains(p, ".Args.") {
			got[p] = fmt.Sprintf("%v|%v|%v", row["severity"], row["line"], row["message"])
		}
	}
	want := map[string]string{
		"TIProviders.VirusTotal.Args.Tiemout":  "warning|5|unknown setting Tiemout: did you mean Timeout?",
		"TIProviders.VirusTotal.Args.RateLimt": "warning|7|unknown setting RateLimt: did you mean RateLimit?",
		"TIProviders.XForce.Args.Tiemout":      "warning|14|unknown setting Tiemout: did you mean Timeout?",
		"TIProviders.XForce.Args.Flavour":      "warning|15|unknown setting Flavour, ignored (XForce reads ApiID, AuthKey",
	}
	for p, w := range want {
		if !strings.HasPrefix(got[p], w) {
			t.Errorf("%s: got %q, want prefix %q", p, got[p], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("rows %v, want only %v", got, want)
	}
	if strings.Contains(r.stdout+r.stderr, "Zq9SecretValue77") {
		t.Error("secret shown")
	}
}

// TestOtherCommandsWarnOfSettingTypos: a command that loads the config
// (providers list) warns on stderr of misspelt provider settings, as of the
// config's other likely typos, with paths and lines, secrets never shown.
func TestOtherCommandsWarnOfSettingTypos(t *testing.T) {
	cfg := writeConfig(t, settingTyposConfig)
	r := run(t, nil, "--config", cfg, "providers", "list")
	if r.code != 0 {
		t.Fatalf("exit %d; stderr %s", r.code, r.stderr)
	}
	for _, w := range []string{
		"TIProviders.VirusTotal.Args.Tiemout (line 5): did you mean Timeout?",
		"TIProviders.VirusTotal.Args.RateLimt (line 7): did you mean RateLimit?",
		"TIProviders.XForce.Args.Tiemout (line 14): did you mean Timeout?",
	} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "Flavour") { // no likely fix: validate lists it
		t.Errorf("stderr names Flavour:\n%s", r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "Zq9SecretValue77") {
		t.Error("secret shown")
	}
}

// TestUnknownSettingProblemsByWhatIsKnown: a provider whose declared
// settings are all it reads gets every unknown key reported; one that
// passes undeclared settings on (an executable plugin) only likely typos;
// one that declares none (a Starlark script) nothing.
func TestUnknownSettingProblemsByWhatIsKnown(t *testing.T) {
	tests := []struct {
		name string
		meta map[string]any
		want []string // messages
	}{
		{"complete", map[string]any{"settings": []string{"Region"}, "settings_complete": true}, []string{
			"unknown setting Regoin: did you mean Region?",
			"unknown setting Tiemout: did you mean Timeout?",
			"unknown setting Colour, ignored (Demo reads Region, and the limits RateLimit, Burst, Concurrency, DailyQuota, Timeout, Retries, MaxBatch)",
		}},
		{"declared, others passed on", map[string]any{"settings": []string{"Region"}}, []string{
			"unknown setting Regoin: did you mean Region?",
			"unknown setting Tiemout: did you mean Timeout?",
		}},
		{"none declared", map[string]any{"way": "starlark"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := registry.New()
			if err := reg.Register(registry.Registration{Kind: registry.KindTI, Name: "Demo", Meta: tt.meta,
				Factory: func(context.Context, registry.FactoryArgs) (any, error) { return nil, nil }}); err != nil {
				t.Fatal(err)
			}
			path := writeConfig(t, "TIProviders:\n  Demo:\n    Args:\n      Regoin: eu\n      region: us\n      Tiemout: 3\n      Colour: red\n      burst: 2\n")
			cfg, err := config.Load(config.FindOptions{Flag: path, Getenv: func(string) string { return "" }})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range unknownSettingProblems(reg, cfg) {
				if p.Severity != config.SevWarning || p.Line == 0 {
					t.Errorf("problem %+v", p)
				}
				got = append(got, p.Message)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
