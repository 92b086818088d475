package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIOCClassifyArgsAndStdin(t *testing.T) {
	out, errOut, code := runQueryCLI(t, nil, "ioc", "classify", "8.8.8[.]8", "10.0.0.1:443", "hxxps://Evil[.]com/x.", "zz-not-a-hash", "-o", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := []string{
		"Input,Type,Value,Port,Check,Reason",
		"8.8.8[.]8,ipv4,8.8.8.8,,ok,",
		"10.0.0.1:443,ipv4,10.0.0.1,443,not routable,private",
		"hxxps://Evil[.]com/x.,url,https://evil.com/x,,ok,",
		"zz-not-a-hash,unknown,zz-not-a-hash,,unsupported,type not recognised",
	}
	if got := strings.Split(strings.TrimSpace(out), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", out, strings.Join(want, "\n"))
	}

	var stdoutB, stderrB strings.Builder
	code = Run(t.Context(), Env{Args: []string{"ioc", "classify", "-o", "ndjson", "--type", "domain"},
		Stdin: strings.NewReader("update.sh\n\n8.8.8.8\r\n"), Stdout: &stdoutB, Stderr: &stderrB,
		Getenv: func(k string) string { return map[string]string{"HOME": t.TempDir()}[k] }})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderrB.String())
	}
	lines := strings.Split(strings.TrimSpace(stdoutB.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 rows (blank line skipped), got %q", stdoutB.String())
	}
	var r0, r1 map[string]any
	_ = json.Unmarshal([]byte(lines[0]), &r0)
	_ = json.Unmarshal([]byte(lines[1]), &r1)
	if r0["Type"] != "dns" || r0["Check"] != "ok" || r0["Value"] != "update.sh" {
		t.Errorf("explicit dns must win for update.sh: %v", r0)
	}
	if r1["Type"] != "dns" || r1["Check"] != "invalid" || r1["Reason"] != "Domain is an IP address" {
		t.Errorf("8.8.8.8 as dns: %v", r1)
	}
}

func TestIOCClassifyBadType(t *testing.T) {
	_, errOut, code := runQueryCLI(t, nil, "ioc", "classify", "--type", "nonsense", "x")
	if code != 2 || !strings.Contains(errOut, "--type") || !strings.Contains(errOut, "nonsense") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

func TestIOCExtract(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "report.txt")
	text := "C2 185.220.101[.]47 and hxxp://cdn-update-check[.]xyz/a.png\nagain 185.220.101.47 at 09:14:02 from 10.0.0.5\nhash 5F4DCC3B5AA765D61D8327DEB882CF99 update.sh\n"
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runQueryCLI(t, nil, "ioc", "extract", p, "-o", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := []string{
		"Type,Value,Raw,Line,Offset,Check,Reason",
		"ipv4,185.220.101.47,185.220.101[.]47,1,3,ok,",
		"url,http://cdn-update-check.xyz/a.png,hxxp://cdn-update-check[.]xyz/a.png,1,24,ok,",
		"dns,cdn-update-check.xyz,cdn-update-check[.]xyz,1,31,ok,",
		"ipv4,10.0.0.5,10.0.0.5,2,98,not routable,private",
		"md5_hash,5f4dcc3b5aa765d61d8327deb882cf99,5F4DCC3B5AA765D61D8327DEB882CF99,3,112,ok,",
	}
	if got := strings.TrimSpace(out); got != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	// --types filter (aliases) and --all, from stdin
	var so, se strings.Builder
	code = Run(t.Context(), Env{Args: []string{"ioc", "extract", "--types", "ip", "--all", "-o", "csv"}, Stdin: strings.NewReader(text), Stdout: &so, Stderr: &se,
		Getenv: func(string) string { return "" }})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, se.String())
	}
	if got := strings.Count(so.String(), "\nipv4,185.220.101.47,"); got != 2 || strings.Contains(so.String(), "url,") {
		t.Fatalf("--types ip --all: %s", so.String())
	}
}

func TestIOCExtractErrors(t *testing.T) {
	_, errOut, code := runQueryCLI(t, nil, "ioc", "extract", filepath.Join(t.TempDir(), "missing.txt"))
	if code != 2 || !strings.Contains(errOut, "missing.txt") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	_, errOut, code = runQueryCLI(t, nil, "ioc", "extract", "--types", "ipv4,bogus", "-")
	if code != 2 || !strings.Contains(errOut, "bogus") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}
