package cli

import (
	"strings"
	"testing"

	_ "github.com/msticgo/msticgo/data/drivers/all" // the Sample environment, as cmd/msticgo links it
)

// TestQueryRunEnrichEmbedded is the README's first command: a query over
// the embedded sample data, enriched by the embedded offline feeds, with no
// config and no network.
func TestQueryRunEnrichEmbedded(t *testing.T) {
	env := map[string]string{"MSTICGO_NOW": "2026-11-28T00:00:00Z", "MSTICGO_CACHE_DIR": t.TempDir()}
	plain, _, code := runQueryCLI(t, env, "query", "run", "Network.list_public_destinations", "-o", "ndjson")
	if code != 0 {
		t.Fatalf("plain run: exit %d", code)
	}
	out, errOut, code := runQueryCLI(t, env, "query", "run", "Network.list_public_destinations", "--enrich", "auto", "-o", "ndjson")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rows := ndjsonRows(t, out)
	if len(rows) == 0 || len(rows) != len(ndjsonRows(t, plain)) {
		t.Fatalf("rows in %d, rows out %d", len(ndjsonRows(t, plain)), len(rows))
	}
	var c2, benign int
	for _, r := range rows {
		ip, _ := r["DestinationIP"].(string)
		detail, _ := r["TIDetail"].(string)
		switch ip {
		case "91.234.254.144": // the demo feed's C2 server
			if r["TISeverity"] != "high" || r["TIMatched"] != "Feeds" || !strings.Contains(detail, "C2") {
				t.Errorf("C2 row %v", r)
			}
			c2++
		case "8.8.8.8": // a public resolver on the embedded warninglist
			if r["TISeverity"] != "" || r["TIMatched"] != "" || !strings.Contains(detail, "known benign") {
				t.Errorf("resolver row %v", r)
			}
			benign++
		}
		if _, ok := r["Connections"]; !ok {
			t.Errorf("query column lost: %v", r)
		}
	}
	if c2 == 0 || benign == 0 {
		t.Errorf("c2 rows %d, benign rows %d", c2, benign)
	}

	// --enrich-output: the lookup rows, one per distinct address.
	out, _, code = runQueryCLI(t, env, "query", "run", "Network.list_public_destinations", "--enrich", "DestinationIP", "--enrich-output", "-o", "ndjson")
	if code != 0 {
		t.Fatalf("enrich-output exit %d", code)
	}
	lk := ndjsonRows(t, out)
	seen := map[string]bool{}
	for _, r := range lk {
		ioc, _ := r["Ioc"].(string)
		if seen[ioc] {
			t.Errorf("%s looked up twice", ioc)
		}
		seen[ioc] = true
		if r["Provider"] != "Feeds" || r["StatusName"] == nil {
			t.Errorf("lookup row %v", r)
		}
	}
	if !seen["91.234.254.144"] || len(lk) >= len(rows) {
		t.Errorf("%d lookup rows for %d query rows", len(lk), len(rows))
	}

	// Private addresses: not routable, never sent (the host query keeps them).
	out, _, code = runQueryCLI(t, env, "query", "run", "Network.list_host_connections", "host_name=WS-ALDER", "--enrich", "auto", "-o", "ndjson")
	if code != 0 {
		t.Fatalf("host connections exit %d", code)
	}
	private := 0
	for _, r := range ndjsonRows(t, out) {
		if d, _ := r["TIDetail"].(string); strings.Contains(d, "not routable: private") {
			private++
		}
	}
	if private == 0 {
		t.Error("no private destination noted as not routable")
	}
}

func TestQueryRunEnrichErrors(t *testing.T) {
	env := map[string]string{"MSTICGO_CACHE_DIR": t.TempDir()}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown column", []string{"--enrich", "NoSuchColumn"}, `no column "NoSuchColumn" (columns: Computer, DestinationIP`},
		{"auto with names", []string{"--enrich", "auto,DestinationIP"}, "cannot be combined"},
		{"output without enrich", []string{"--enrich-output"}, "--enrich-output needs --enrich"},
		{"unknown provider", []string{"--enrich", "auto", "--providers", "NoSuchTI"}, "NoSuchTI"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"query", "run", "Network.list_public_destinations"}, tt.args...)
			_, errOut, code := runQueryCLI(t, env, args...)
			if code != 2 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, tt.want)
			}
		})
	}
}

// TestQueryPipeToLookup is the pipe form: query rows as NDJSON into
// "ti lookup --column".
func TestQueryPipeToLookup(t *testing.T) {
	env := map[string]string{"MSTICGO_NOW": "2026-11-28T00:00:00Z"}
	out, _, code := runQueryCLI(t, env, "query", "run", "Network.list_public_destinations", "-o", "ndjson")
	if code != 0 {
		t.Fatalf("query exit %d", code)
	}
	n := len(ndjsonRows(t, out))
	lk, errOut, code := runTI(t, out, "ti", "lookup", "--column", "DestinationIP", "--no-cache", "-o", "ndjson")
	if code != 0 {
		t.Fatalf("lookup exit %d: %s", code, errOut)
	}
	rows := ndjsonRows(t, lk)
	if len(rows) != n {
		t.Fatalf("%d query rows, %d lookup rows", n, len(rows))
	}
	if rows[0]["Ioc"] != "91.234.254.144" || rows[0]["Severity"] != "high" {
		t.Errorf("first row %v", rows[0])
	}
	_, errOut, code = runTI(t, out, "ti", "lookup", "--column", "DestIP", "--no-cache")
	if code != 2 || !strings.Contains(errOut, "DestIP") {
		t.Errorf("wrong column: exit %d %q", code, errOut)
	}
}
