package duckdb

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/data/querystore"
	"github.com/msticgo/msticgo/samples"
)

func sampleProvider(t *testing.T) *data.QueryProvider {
	t.Helper()
	store := querystore.New()
	if err := store.LoadFS(samples.Queries(), ".", "embedded:"+samples.PackName); err != nil {
		t.Fatal(err)
	}
	if errs := store.Errors(); len(errs) > 0 {
		t.Fatalf("sample pack problems: %v", errs)
	}
	qp, err := data.NewQueryProvider(context.Background(), samples.Environment, data.ProviderOptions{Store: store,
		Now: func() time.Time { return time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { qp.Close() })
	return qp
}

// TestSamplePack runs every query of the embedded pack through the real
// QueryProvider (render with bound parameters, DuckDB) and checks row
// counts against counts made by reading the CSV files in Go.
func TestSamplePack(t *testing.T) {
	qp := sampleProvider(t)
	sec, secRows := sampleRows(t, "SecurityEvent.csv")
	netc, netRows := sampleRows(t, "NetworkConnection.csv")
	dnsc, dnsRows := sampleRows(t, "DnsEvent.csv")
	count := func(rows [][]string, keep func(r []string) bool) int {
		n := 0
		for _, r := range rows {
			if keep(r) {
				n++
			}
		}
		return n
	}
	isPublic := func(ip string) bool {
		return !(strings.HasPrefix(ip, "10.") || strings.HasPrefix(ip, "192.168.") || strings.HasPrefix(ip, "127."))
	}
	publicGroups := map[string]bool{}
	for _, r := range netRows {
		if isPublic(r[netc["DestinationIP"]]) {
			publicGroups[r[netc["Computer"]]+"|"+r[netc["DestinationIP"]]+"|"+r[netc["DestinationPort"]]] = true
		}
	}
	tests := []struct {
		query  string
		params map[string]any
		want   int
	}{
		{"WindowsSecurity.list_host_logons", map[string]any{"host_name": "srv-web01"}, count(secRows, func(r []string) bool {
			return r[sec["EventID"]] == "4624" && r[sec["Computer"]] == "SRV-WEB01"
		})},
		{"WindowsSecurity.list_host_logon_failures", map[string]any{"hostname": "SRV-WEB01"}, count(secRows, func(r []string) bool {
			return r[sec["EventID"]] == "4625" && r[sec["Computer"]] == "SRV-WEB01"
		})},
		{"WindowsSecurity.list_logons_by_account", map[string]any{"account_name": "svc.backup"}, count(secRows, func(r []string) bool {
			return (r[sec["EventID"]] == "4624" || r[sec["EventID"]] == "4625") && r[sec["TargetUserName"]] == "svc.backup"
		})},
		{"WindowsSecurity.list_host_processes", map[string]any{"host_name": "SRV-WEB01"}, count(secRows, func(r []string) bool {
			return r[sec["EventID"]] == "4688" && r[sec["Computer"]] == "SRV-WEB01"
		})},
		{"WindowsSecurity.list_processes_by_commandline", map[string]any{"commandline": "COMSVCS"}, count(secRows, func(r []string) bool {
			return r[sec["EventID"]] == "4688" && strings.Contains(strings.ToLower(r[sec["CommandLine"]]), "comsvcs")
		})},
		{"Network.list_host_connections", map[string]any{"host_name": "SRV-WEB01"}, count(netRows, func(r []string) bool {
			return r[netc["Computer"]] == "SRV-WEB01"
		})},
		{"Network.list_connections_by_ip", map[string]any{"ip_address_list": []any{"91.234.254.144", "185.229.191.41"}}, count(netRows, func(r []string) bool {
			d := r[netc["DestinationIP"]]
			return d == "91.234.254.144" || d == "185.229.191.41"
		})},
		{"Network.list_public_destinations", nil, len(publicGroups)},
		{"Dns.list_host_dns_queries", map[string]any{"host_name": "SRV-WEB01"}, count(dnsRows, func(r []string) bool {
			return r[dnsc["Computer"]] == "SRV-WEB01"
		})},
		// Hostile value: bound, so it matches nothing and breaks nothing.
		{"WindowsSecurity.list_host_logons", map[string]any{"host_name": "' or 1=1 --"}, 0},
		// Time window from the caller.
		{"WindowsSecurity.list_host_logons", map[string]any{"host_name": "SRV-WEB01", "start": "2026-11-27T00:00:00Z", "end": "2026-11-28T00:00:00Z"}, count(secRows, func(r []string) bool {
			return r[sec["EventID"]] == "4624" && r[sec["Computer"]] == "SRV-WEB01" && strings.HasPrefix(r[sec["TimeGenerated"]], "2026-11-27")
		})},
	}
	for _, tt := range tests {
		if tt.want == 0 && tt.params["host_name"] == nil {
			t.Fatalf("%s: expected count 0 from Go, test data broken", tt.query)
		}
		res, err := qp.Run(context.Background(), tt.query, tt.params, data.RunOptions{})
		if err != nil {
			t.Errorf("%s %v: %v", tt.query, tt.params, err)
			continue
		}
		if res.Rows != tt.want {
			t.Errorf("%s %v: %d rows, want %d\n%s %v", tt.query, tt.params, res.Rows, tt.want, res.Query, res.Args)
		}
	}
	// The spray and the beacon are in the data.
	res, err := qp.Run(context.Background(), "Network.list_public_destinations", nil, data.RunOptions{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	f := res.Result.Frame
	if !res.Result.Truncated || f.Rows[0][f.ColumnIndex("DestinationIP")] != "91.234.254.144" || f.Rows[0][f.ColumnIndex("Connections")] != int64(12) {
		t.Errorf("top destination: %v truncated=%v", f.Rows, res.Result.Truncated)
	}
}

// TestSamplePackRegistered checks that the pack is registered for
// LoadDefaults-style loading and serves the Sample environment.
func TestSamplePackRegistered(t *testing.T) {
	found := false
	for _, n := range querystore.EmbeddedNames() {
		found = found || n == samples.PackName
	}
	if !found {
		t.Fatalf("embedded packs %v lack %q", querystore.EmbeddedNames(), samples.PackName)
	}
	store := querystore.Load(querystore.Sources{Embedded: true})
	if _, err := store.Get(samples.Environment, "WindowsSecurity.list_host_logons"); err != nil {
		t.Fatal(err)
	}
}
