package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/msticgo/msticgo/internal/testcorpus"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"",
		"# c\n",
		"TIProviders:\n  OTX:\n    Args:\n      AuthKey: 0012345\n    Primary: yes\n",
		"TIProviders: abc\n",
		"PluginFolders: p\n",
		"PluginFolders: [a, b, ~]\n",
		"AzureSentinel:\n  Workspaces:\n    Default: {WorkspaceId: x}\n",
		"a: &x {b: 1}\nTIProviders:\n  X:\n    Args:\n      <<: *x\n",
		"a: &a [*a]\n",
		"msticpy: {http_timeout: [1, 2], Proxies: {https: 'http://u:p@h'}}\n",
		"TIProviders:\n  V:\n    Args:\n      K: {EnvironmentVar: HOME}\n      L: {KeyVault: v/s}\n",
		"- 1\n- 2\n",
		"UserDefaults:\n  A:\n    B: {EnvironmentVar: X}\n",
	} {
		f.Add([]byte(s))
	}
	if root := testcorpus.Root(); root != "" {
		files, _ := filepath.Glob(filepath.Join(root, "config", "*.yaml"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	getenv := func(k string) string {
		if k == "HOME" {
			return "  home-value "
		}
		return ""
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "fuzz.yaml", getenv)
		if err != nil {
			return
		}
		_ = c.Validate()
		_ = c.Secrets()
		out, err := c.RedactedYAML()
		if err != nil {
			t.Fatalf("RedactedYAML: %v", err)
		}
		if _, err := Parse(out, "", getenv); err != nil {
			t.Fatalf("RedactedYAML output does not parse: %v\n%s", err, out)
		}
	})
}
