package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// badEntriesConfig has one working entry (the offline Feeds provider with
// its embedded default feed) beside entries that cannot run.
const badEntriesConfig = `TIProviders:
  Feeds:
    Args: {Embedded: default}
    Primary: true
  NoFeeds:
    Provider: Feeds
  OddFeeds:
    Args: {Embedded: default, Colour: blue}
    Provider: Feeds
  OTX:
    Args:
      AuthKey: ""
    Primary: true
  Bogus:
    Provider: NoSuchProviderType
    Primary: true
`

// TestTILookupBadEntryDoesNotStopOthers: an empty literal key or an
// unknown Provider type makes that entry "not configured" (rows with the
// reason, no call, exit 3) and the other providers still answer, exactly
// as an unset EnvironmentVar does. Naming only a broken entry follows the
// same rule.
func TestTILookupBadEntryDoesNotStopOthers(t *testing.T) {
	cfg := writeConfig(t, badEntriesConfig)
	tests := []struct {
		name string
		args []string
		want map[string]string // provider -> Details
	}{
		{"primaries", nil, map[string]string{
			"OTX":   "not configured: missing required setting AuthKey",
			"Bogus": `not configured: unknown provider type "NoSuchProviderType"`,
		}},
		{"only the broken one named", []string{"--providers", "OTX"}, map[string]string{
			"OTX": "not configured: missing required setting AuthKey",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"--config", cfg, "-o", "ndjson", "ti", "lookup", "--no-cache", "91.234.254.144"}, tt.args...)
			r := run(t, map[string]string{"MSTICGO_CACHE_DIR": t.TempDir()}, args...)
			if r.code != ExitPartial {
				t.Fatalf("exit %d, want 3; stderr %s", r.code, r.stderr)
			}
			rows := ndjsonRows(t, r.stdout)
			seen := map[string]bool{}
			for _, row := range rows {
				p := row["Provider"].(string)
				seen[p] = true
				switch want, ok := tt.want[p]; {
				case p == "Feeds":
					if row["StatusName"] != "found" {
						t.Errorf("Feeds did not answer: %v", row)
					}
				case !ok:
					t.Errorf("unexpected row %v", row)
				case row["StatusName"] != "not configured" || !strings.HasPrefix(row["Details"].(string), want):
					t.Errorf("%s row %v, want Details %q", p, row, want)
				}
			}
			for p := range tt.want {
				if !seen[p] {
					t.Errorf("no row for %s: %s", p, r.stdout)
				}
			}
		})
	}
}

// TestTIProvidersStatusOfBadEntry: the listing says "not configured:
// <reason>", without "error:" and without repeating the entry name.
func TestTIProvidersStatusOfBadEntry(t *testing.T) {
	cfg := writeConfig(t, badEntriesConfig)
	r := run(t, nil, "--config", cfg, "-o", "json", "ti", "providers")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	wants := map[any]string{"OTX": "not configured: missing required setting AuthKey",
		"NoFeeds":  "not configured: no feeds configured (set Files, Feed1... or Embedded: default)",
		"OddFeeds": `not configured: unknown setting "Colour" (known: Files,`}
	for _, row := range jsonRows(t, r.stdout) {
		want, ok := wants[row["name"]]
		if ok && !strings.HasPrefix(fmt.Sprint(row["status"]), want) {
			t.Errorf("%s status %q, want %q", row["name"], row["status"], want)
		}
		delete(wants, row["name"])
	}
	if len(wants) > 0 {
		t.Errorf("entries not listed: %v", wants)
	}
}

// TestTILookupInterrupted: a run stopped by an interrupt (its context
// cancelled) exits 130 and says "interrupted"; rows not done say
// "interrupted before the call"; Go's "context canceled" never shows.
func TestTILookupInterrupted(t *testing.T) {
	cfg := writeConfig(t, badEntriesConfig)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	env := map[string]string{"HOME": t.TempDir()}
	code := Run(ctx, Env{Args: []string{"--config", cfg, "-o", "ndjson", "ti", "lookup", "--no-cache", "--providers", "Feeds", "91.234.254.144"},
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }})
	if code != ExitInterrupted {
		t.Errorf("exit %d, want %d; stderr %s", code, ExitInterrupted, errb.String())
	}
	if want := "msticgo: interrupted: 1 of 1 lookups failed (1 timeout)\n"; !strings.HasSuffix(errb.String(), want) {
		t.Errorf("stderr %q, want it to end with %q", errb.String(), want)
	}
	rows := ndjsonRows(t, out.String())
	if len(rows) != 1 || rows[0]["Details"] != "interrupted before the call" {
		t.Errorf("rows %v", rows)
	}
	if s := out.String() + errb.String(); strings.Contains(s, "context canceled") {
		t.Errorf("Go wording in output: %s", s)
	}
	if help := run(t, nil, "ti", "lookup", "--help").stdout; !strings.Contains(help, "130 when interrupted") {
		t.Errorf("ti lookup --help does not give the interrupted exit code:\n%s", help)
	}
}

// TestPartialMessageHasNoRedundantSuffix: "2 of 2 lookups failed (2 not
// configured)" is the whole line, without ": some items failed".
func TestPartialMessageHasNoRedundantSuffix(t *testing.T) {
	cfg := writeConfig(t, badEntriesConfig)
	r := run(t, map[string]string{"MSTICGO_CACHE_DIR": t.TempDir()}, "--config", cfg, "ti", "lookup", "--providers", "OTX,Bogus", "8.8.8.8")
	if r.code != ExitPartial || !strings.HasSuffix(r.stderr, "msticgo: 2 of 2 lookups failed (2 not configured)\n") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestEnrichNotConfiguredSaidOnce: with the only TI provider not
// configured, enrichment names the unset variable in one stderr line (not
// in every row), private addresses say "not routable: private", and no
// detail says "not configured" twice.
func TestEnrichNotConfiguredSaidOnce(t *testing.T) {
	cfg := writeConfig(t, `TIProviders:
  VirusTotal:
    Args:
      AuthKey:
        EnvironmentVar: SOME_UNSET_VAR
    Primary: True
`)
	env := map[string]string{"MSTICGO_NOW": "2026-11-28T00:00:00Z", "MSTICGO_CACHE_DIR": t.TempDir()}
	out, errOut, code := runQueryCLI(t, env, "--config", cfg, "query", "run", "Network.list_host_connections",
		"host_name=WS-ALDER", "--enrich", "auto", "-o", "ndjson")
	if code != ExitPartial {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if n := strings.Count(errOut, "SOME_UNSET_VAR"); n != 1 || !strings.Contains(errOut, "VirusTotal not configured (SOME_UNSET_VAR not set)") {
		t.Errorf("stderr names the variable %d times, want once:\n%s", n, errOut)
	}
	private, public := 0, 0
	for _, r := range ndjsonRows(t, out) {
		d, _ := r["TIDetail"].(string)
		if strings.Contains(d, "SOME_UNSET_VAR") || strings.Contains(d, "not configured: not configured") {
			t.Errorf("TIDetail %q", d)
		}
		for _, ip := range []string{r["SourceIP"].(string), r["DestinationIP"].(string)} {
			switch {
			case strings.HasPrefix(ip, "10."):
				private++
				if !strings.Contains(d, ip+": not routable: private") {
					t.Errorf("private %s: TIDetail %q", ip, d)
				}
			default:
				public++
				if !strings.Contains(d, ip+" VirusTotal: not configured") {
					t.Errorf("public %s: TIDetail %q", ip, d)
				}
			}
		}
	}
	if private == 0 || public == 0 {
		t.Errorf("private %d, public %d values: the sample should have both", private, public)
	}
}

// TestEnrichDetailCutIsDocumented: TIDetail notes are cut to 120
// characters in every format (JSON too, whatever --max-width says); the
// help says so and points to --enrich-output for the full rows.
func TestEnrichDetailCutIsDocumented(t *testing.T) {
	help, _, _ := runQueryCLI(t, nil, "query", "run", "--help")
	for _, want := range []string{"cut\nto 120 characters", "-o json included", "--enrich-output prints the full lookup rows"} {
		if !strings.Contains(help, want) {
			t.Errorf("query run --help lacks %q", want)
		}
	}
	env := map[string]string{"MSTICGO_NOW": "2026-11-28T00:00:00Z", "MSTICGO_CACHE_DIR": t.TempDir()}
	out, errOut, code := runQueryCLI(t, env, "query", "run", "WindowsSecurity.list_processes_by_commandline",
		"commandline=urlcache", "--enrich", "CommandLine", "-o", "json", "--max-width", "-1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	cut := 0
	for _, r := range jsonRows(t, out) {
		for _, note := range strings.Split(r["TIDetail"].(string), "; ") {
			if n := len([]rune(note)); n > 120 {
				t.Errorf("note of %d characters: %q", n, note)
			}
			if strings.HasSuffix(note, "…") {
				cut++
			}
		}
	}
	if cut == 0 {
		t.Error("no note was long enough to be cut: the test shows nothing")
	}
}

// TestProvidersNameIsAProviderType: --providers with a built-in provider
// type or a loaded plugin that has no config entry says how to add one;
// the help example that names VirusTotal,OTX says it needs entries.
func TestProvidersNameIsAProviderType(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"ti", "lookup", "--providers", "VirusTotal", "8.8.8.8"},
			`msticgo: no TIProviders entry named "VirusTotal" (the provider type exists: add an entry with Provider: VirusTotal to msticpyconfig.yaml); loaded: Feeds`},
		{[]string{"--plugins", filepath.Join("..", "..", "examples", "plugins"), "ti", "lookup", "--providers", "AcmeReputation", "20.1.2.3"},
			`msticgo: no TIProviders entry named "AcmeReputation" (the provider type exists: add an entry with Provider: AcmeReputation to msticpyconfig.yaml)`},
	}
	for _, tt := range tests {
		r := run(t, map[string]string{"MSTICGO_CACHE_DIR": t.TempDir()}, tt.args...)
		if r.code != ExitUsage || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q\nwant 2 and %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
	help := run(t, nil, "ti", "lookup", "--help").stdout
	if !strings.Contains(help, "this needs entries named\n  # VirusTotal and OTX") {
		t.Errorf("ti lookup --help example does not say it needs config entries:\n%s", help)
	}
	help = run(t, nil, "context", "lookup", "--help").stdout
	if !strings.Contains(help, "needs a ContextProviders entry named CMDB") {
		t.Errorf("context lookup --help example does not say it needs a config entry:\n%s", help)
	}
}

// TestContextProvidersHelpExample: the context listing's help does not use
// a TI key as its example.
func TestContextProvidersHelpExample(t *testing.T) {
	tests := []struct{ cmd, want, not string }{
		{"context", "SNOW_PASSWORD not set", "VT_KEY"},
		{"ti", "VT_KEY not set", "SNOW_PASSWORD"},
	}
	for _, tt := range tests {
		help := run(t, nil, tt.cmd, "providers", "--help").stdout
		if !strings.Contains(help, tt.want) || strings.Contains(help, tt.not) {
			t.Errorf("%s providers --help:\n%s", tt.cmd, help)
		}
	}
}

// TestDebugLogNamesProviderOnce: debug lines of a declarative provider
// carry provider=<entry> once, not twice.
func TestDebugLogNamesProviderOnce(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{}`, http.StatusNotFound)
	}))
	defer srv.Close()
	cfg := writeConfig(t, `TIProviders:
  AcmeIntel:
    Args:
      AuthKey: literal-key-123
      BaseURL: `+srv.URL+`
    Primary: true
`)
	dir := t.TempDir()
	def, err := os.ReadFile(filepath.Join("..", "..", "examples", "plugins", "acme_intel.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	writeFileT(t, filepath.Join(dir, "acme_intel.yaml"), string(def))
	tests := [][]string{
		{"--plugins", dir, "ti", "lookup", "--no-cache", "20.1.2.3"},
		{"plugins", "test", dir},
	}
	for _, args := range tests {
		all := append([]string{"--config", cfg, "--log-level", "debug"}, args...)
		r := run(t, map[string]string{"MSTICGO_CACHE_DIR": t.TempDir()}, all...)
		lines := 0
		for _, line := range strings.Split(r.stderr, "\n") {
			if strings.Contains(line, "provider=AcmeIntel") {
				lines++
				if strings.Count(line, "provider=") != 1 {
					t.Errorf("%v: %s", args, line)
				}
			}
		}
		if lines == 0 {
			t.Errorf("%v: no debug line names the provider (exit %d):\n%s", args, r.code, r.stderr)
		}
	}
}

func writeFileT(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestFeedsDocExample runs the feeds.md example as written, with no
// config: it shows feed matches, and the page says what each row gives.
func TestFeedsDocExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "feeds.md"))
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, line := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(line, "msticgo ti lookup --providers Feeds ") {
			args = strings.Fields(line)[1:]
			break
		}
	}
	if args == nil {
		t.Fatal("feeds.md has no 'msticgo ti lookup --providers Feeds' example")
	}
	r := run(t, map[string]string{"MSTICGO_CACHE_DIR": t.TempDir()}, append(args, "-o", "ndjson")...)
	if r.code != 0 {
		t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
	}
	want := map[string]string{"91.234.254.144": "high", "cdn.softupdates.info": "high", "8.8.8.8": "information"}
	for _, row := range ndjsonRows(t, r.stdout) {
		ioc := row["Ioc"].(string)
		if sev, ok := want[ioc]; !ok || row["Severity"] != sev || (sev == "high") != (row["Result"] == true) {
			t.Errorf("row %v", row)
		}
		delete(want, ioc)
	}
	if len(want) > 0 {
		t.Errorf("no rows for %v", want)
	}
	if !strings.Contains(string(doc), "Type unknown not supported. Not\na domain with a public suffix (.example is none).") {
		t.Error("feeds.md does not quote the unknown-type message as the code gives it")
	}
}
