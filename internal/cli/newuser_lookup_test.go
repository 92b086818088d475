package cli

import (
	"bytes"
	"context"
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
			r := run(t, nil, args...)
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
	for _, row := range jsonRows(t, r.stdout) {
		want := map[any]string{"OTX": "not configured: missing required setting AuthKey",
			"NoFeeds": "not configured: no feeds configured (set Files, Feed1... or Embedded: default)"}[row["name"]]
		if want != "" && row["status"] != want {
			t.Errorf("%s status %q, want %q", row["name"], row["status"], want)
		}
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
}

// TestPartialMessageHasNoRedundantSuffix: "2 of 2 lookups failed (2 not
// configured)" is the whole line, without ": some items failed".
func TestPartialMessageHasNoRedundantSuffix(t *testing.T) {
	cfg := writeConfig(t, badEntriesConfig)
	r := run(t, nil, "--config", cfg, "ti", "lookup", "--providers", "OTX,Bogus", "8.8.8.8")
	if r.code != ExitPartial || !strings.HasSuffix(r.stderr, "msticgo: 2 of 2 lookups failed (2 not configured)\n") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}
