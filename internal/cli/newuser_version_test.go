package cli

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestNewUserVersionInfo(t *testing.T) {
	rev := []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.modified", Value: "true"}}
	tests := []struct {
		name        string
		set         string
		bi          *debug.BuildInfo
		wantVersion string
		wantCommit  string
	}{
		{"no build info", "dev", nil, "dev", ""},
		{"checkout with VCS stamp", "dev", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: rev}, "dev", "0123456789ab+dirty"},
		{"go install @version", "dev", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "v1.4.0", ""},
		{"-X wins", "v2.0.0", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "v2.0.0", ""},
	}
	for _, tt := range tests {
		v, c := versionInfo(tt.set, tt.bi)
		if v != tt.wantVersion || c != tt.wantCommit {
			t.Errorf("%s: got %q %q, want %q %q", tt.name, v, c, tt.wantVersion, tt.wantCommit)
		}
	}
	// without a stamp the line says why the commit is missing
	if r := run(t, nil, "version"); !strings.Contains(r.stdout, "commit") {
		t.Errorf("version: %q", r.stdout)
	}
}

// The embedded-defaults notice: once per run, one short line.
func TestNewUserDefaultsNoticeShort(t *testing.T) {
	r := run(t, nil, "query", "list")
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) != 1 || len(lines[0]) > 90 || !strings.Contains(lines[0], "using built-in defaults") {
		t.Errorf("stderr %q", r.stderr)
	}
}
