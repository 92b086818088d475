package cli

import (
	"fmt"
	"strings"
	"testing"
)

// badArgsConfig is the second user review's fk2.yaml (A4), with more
// entries: each bad setting makes only its entry not configured.
const badArgsConfig = `TIProviders:
  VirusTotal:
    Args:
      AuthKey: abc
      Timeout: soon
    Primary: True
  OTX:
    Args:
      AuthKey: abcd
      RateLimit: lots
    Primary: True
  Feeds:
    Args:
      Colour: red
  DemoFeeds:
    Provider: Feeds
    Args:
      Embedded: default
    Primary: True
  OTX2:
    Provider: OTX
    Args:
      AuthKey: ""
ContextProviders:
  ServiceNow:
    Args:
      ApiID: someone
`

// TestBadLimitMakesOnlyThatEntryNotConfigured: Timeout: soon and
// RateLimit: lots no longer abort every lookup with exit 2; their rows say
// why, the demo feed answers, exit 3.
func TestBadLimitMakesOnlyThatEntryNotConfigured(t *testing.T) {
	cfg := writeConfig(t, badArgsConfig)
	r := run(t, map[string]string{"MSTICGO_CACHE_DIR": t.TempDir()}, "--config", cfg, "-o", "ndjson", "ti", "lookup", "91.234.254.144")
	if r.code != ExitPartial {
		t.Fatalf("exit %d, want 3; stderr %s", r.code, r.stderr)
	}
	want := map[string]string{
		"VirusTotal": `not configured: setting Timeout: "soon" is not a positive number`,
		"OTX":        `not configured: setting RateLimit: "lots" is not a rate`,
	}
	seen := 0
	for _, row := range ndjsonRows(t, r.stdout) {
		p := row["Provider"].(string)
		if w, ok := want[p]; ok {
			seen++
			if !strings.HasPrefix(row["Details"].(string), w) {
				t.Errorf("%s row %v", p, row)
			}
		} else if p == "DemoFeeds" && row["StatusName"] != "found" {
			t.Errorf("DemoFeeds did not answer: %v", row)
		}
	}
	if seen != 2 {
		t.Errorf("rows %s", r.stdout)
	}
}

// TestValidateReportsEntrySettingProblems: config validate builds each TI
// and context entry as lookups do and reports what makes one not
// configured, with the setting's line, once (OTX2's empty key is reported
// by the required-key check only).
func TestValidateReportsEntrySettingProblems(t *testing.T) {
	cfg := writeConfig(t, badArgsConfig)
	r := run(t, nil, "--config", cfg, "-o", "ndjson", "config", "validate")
	if r.code != 0 {
		t.Fatalf("exit %d (warnings only); stderr %s", r.code, r.stderr)
	}
	got := map[string]string{}
	count := map[string]int{}
	for _, row := range ndjsonRows(t, r.stdout) {
		path := row["path"].(string)
		if path == "TIProviders.OTX2" || strings.HasPrefix(path, "TIProviders.OTX2.") {
			path = "TIProviders.OTX2"
		}
		got[path] = fmt.Sprintf("%v %v %v", row["severity"], row["line"], row["message"])
		count[path]++
	}
	want := map[string]string{
		"TIProviders.VirusTotal.Args.Timeout": `warning 5 setting Timeout: "soon" is not a positive number`,
		"TIProviders.OTX.Args.RateLimit":      `warning 10 setting RateLimit: "lots" is not a rate`,
		"TIProviders.Feeds.Args.Colour":       `warning 14 unknown setting "Colour"`,
		"ContextProviders.ServiceNow":         `warning 25 missing required setting`,
		"TIProviders.OTX2":                    `warning`,
	}
	for path, w := range want {
		if !strings.HasPrefix(got[path], w) {
			t.Errorf("%s: got %q, want prefix %q", path, got[path], w)
		}
		if count[path] != 1 {
			t.Errorf("%s reported %d times", path, count[path])
		}
	}
	if strings.Contains(r.stdout, "DemoFeeds") {
		t.Errorf("a good entry reported: %s", r.stdout)
	}
	if !strings.Contains(got["ContextProviders.ServiceNow"], "Instance") {
		t.Errorf("ServiceNow row does not name Instance: %s", got["ContextProviders.ServiceNow"])
	}
}
