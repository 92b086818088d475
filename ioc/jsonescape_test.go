package ioc

import (
	"os"
	"strings"
	"testing"

	"github.com/msticgo/msticgo/internal/testcorpus"
)

// TestJSONEscapesAreNotWindowsPaths: JSON string escapes in STIX and MISP
// exports ("\n\nThis", "..\/APTnotes\/2014\/apt28.pdf") are not Windows
// paths, for Classify and for Extract. An intentional difference from
// MSTICPy, whose windows_path pattern matches them (observables.md lists
// it): escaped text is no file to look for. Real paths, doubled-backslash
// paths in JSON included, still are.
func TestJSONEscapesAreNotWindowsPaths(t *testing.T) {
	for _, s := range []string{`\n\nThis`, `..\/APTnotes\/2014\/apt28.pdf`, `\r\n\tvalue`, `\u003cscript\u003e`, `x\/y\/z`} {
		if o := Classify(s); o.Type == WindowsPath {
			t.Errorf("Classify(%q) = windows_path", s)
		}
	}
	for _, s := range []string{`C:\Windows\x.exe`, `\nvidia\drv.sys`, `tools\run.bat`, `.\run.bat`, `\\server\share\x`, `\Windows\Temp\a.exe`} {
		if o := Classify(s); o.Type != WindowsPath || o.Check != Ok {
			t.Errorf("Classify(%q) = %s %s, want windows_path", s, o.Type, o.Check)
		}
	}
	text := `{"description": "Attackers\n\nThis campaign", "url": "..\/APTnotes\/2014\/apt28.pdf", "path": "C:\\Windows\\Temp\\x.exe"}`
	var paths []string
	for _, m := range Extract(text) {
		if m.Type == WindowsPath {
			paths = append(paths, m.Value)
		}
	}
	if strings.Join(paths, "|") != `C:\Windows\Temp\x.exe` {
		t.Errorf("Extract windows paths %q", paths)
	}
	for _, f := range []string{"feeds/stix/unit42_CodeCov_Breach.stix20.json", "feeds/misp/eset_sednit_2018-11-20_Zebrocy.misp.json"} {
		b, err := os.ReadFile(testcorpus.Path(t, strings.Split(f, "/")...))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range Extract(string(b)) {
			if m.Type == WindowsPath && (strings.Contains(m.Raw, `\n`) || strings.Contains(m.Raw, `\/`)) {
				t.Errorf("%s: %q extracted as windows_path", f, m.Raw)
			}
		}
	}
}
