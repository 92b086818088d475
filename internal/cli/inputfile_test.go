package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestInputFileErrors: a missing file or a folder given as input is one
// line naming it, in words, exit 2; no Go "open ...: no such file or
// directory" or "read ...: is a directory".
func TestInputFileErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nofile.txt")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"ti", "lookup", "--file", missing}, "msticgo: --file " + missing + ": no such file or folder\n"},
		{[]string{"ti", "lookup", "--file", dir}, "msticgo: --file " + dir + ": is a folder, not a file\n"},
		{[]string{"context", "lookup", "--file", dir}, "msticgo: --file " + dir + ": is a folder, not a file\n"},
		{[]string{"ioc", "extract", missing}, "msticgo: ioc extract " + missing + ": no such file or folder\n"},
		{[]string{"ioc", "extract", dir}, "msticgo: ioc extract " + dir + ": is a folder, not a file\n"},
	} {
		_, stderr, code := runTI(t, "", c.args...)
		if code != ExitUsage || !strings.HasSuffix(stderr, c.want) || strings.Contains(stderr, "directory") || strings.Contains(stderr, "open ") {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, stderr, c.want)
		}
	}
}
