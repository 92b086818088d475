package querypacks_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/msticgo/msticgo/data"
	_ "github.com/msticgo/msticgo/data/drivers/duckdb"
	"github.com/msticgo/msticgo/data/querystore"
	"github.com/msticgo/msticgo/internal/testcorpus"
	"github.com/msticgo/msticgo/querypacks"
)

// event is one recorded event, read with encoding/json (no DuckDB), with
// every value as text.
type event map[string]string

func (e event) id() string      { return e["EventID"] }
func (e event) channel() string { return strings.ToLower(e["Channel"]) }
func (e event) security() bool  { return e.channel() == "security" }
func (e event) sysmon() bool    { return e.channel() == "microsoft-windows-sysmon/operational" }

func readEvents(t *testing.T, glob string) []event {
	t.Helper()
	files, err := filepath.Glob(glob)
	if err != nil || len(files) == 0 {
		t.Fatalf("no files for %s", glob)
	}
	var out []event
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" {
				continue
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			e := event{}
			for k, v := range m {
				switch x := v.(type) {
				case string:
					e[k] = x
				case float64:
					e[k] = fmt.Sprintf("%.0f", x)
				default:
					e[k] = fmt.Sprint(x)
				}
			}
			out = append(out, e)
		}
		fh.Close()
	}
	return out
}

func count(evs []event, keep func(e event) bool) int {
	n := 0
	for _, e := range evs {
		if keep(e) {
			n++
		}
	}
	return n
}

func provider(t *testing.T) *data.QueryProvider {
	t.Helper()
	store := querystore.New()
	if err := store.LoadFS(querypacks.SecurityDatasets(), ".", "embedded:"+querypacks.SecurityDatasetsName); err != nil {
		t.Fatal(err)
	}
	if errs := store.Errors(); len(errs) > 0 {
		t.Fatalf("pack problems: %v", errs)
	}
	qp, err := data.NewQueryProvider(context.Background(), "DuckDB", data.ProviderOptions{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { qp.Close() })
	return qp
}

var replicationGUIDs = []string{"1131f6aa-9c07-11d1-f79f-00c04fc2dcd2", "1131f6ad-9c07-11d1-f79f-00c04fc2dcd2", "89e95b76-444d-4c62-991a-0facbeda640c"}

func isReplication(e event) bool {
	p := strings.ToLower(e["Properties"])
	for _, g := range replicationGUIDs {
		if strings.Contains(p, g) {
			return true
		}
	}
	return false
}

func TestSecurityDatasetsPack(t *testing.T) {
	dir := testcorpus.Path(t, "logs", "security-datasets")
	glob := filepath.Join(dir, "*.json")
	evs := readEvents(t, glob)
	qp := provider(t)
	short := func(h string) string { return strings.ToLower(strings.SplitN(h, ".", 2)[0]) }
	proc := func(e event) bool { return (e.id() == "4688" && e.security()) || (e.id() == "1" && e.sysmon()) }
	image := func(e event) string {
		if e.id() == "4688" {
			return e["NewProcessName"]
		}
		return e["Image"]
	}
	netw := func(e event) bool { return (e.id() == "5156" && e.security()) || (e.id() == "3" && e.sysmon()) }
	addrs := func(e event) (string, string) {
		if e.id() == "5156" {
			return e["SourceAddress"], e["DestAddress"]
		}
		return e["SourceIp"], e["DestinationIp"]
	}
	lsass := func(e event) bool {
		return e.id() == "10" && e.sysmon() && strings.HasSuffix(strings.ToLower(e["TargetImage"]), `\lsass.exe`)
	}
	tests := []struct {
		query  string
		params map[string]any
		want   int
	}{
		{"list_process_creations", nil, count(evs, proc)},
		{"list_process_creations", map[string]any{"commandline": "COMSVCS"}, count(evs, func(e event) bool {
			return proc(e) && strings.Contains(strings.ToLower(e["CommandLine"]), "comsvcs")
		})},
		{"list_process_creations", map[string]any{"image": "esentutl", "host_name": "workstation5.theshire.local"}, count(evs, func(e event) bool {
			return proc(e) && strings.Contains(strings.ToLower(image(e)), "esentutl") && short(e["Hostname"]) == "workstation5"
		})},
		{"list_network_connections", nil, count(evs, netw)},
		{"list_network_connections", map[string]any{"ip_address": "172.18.39.6"}, count(evs, func(e event) bool {
			s, d := addrs(e)
			return netw(e) && (s == "172.18.39.6" || d == "172.18.39.6")
		})},
		{"list_lsass_access", nil, count(evs, lsass)},
		{"list_directory_replication", nil, count(evs, func(e event) bool { return e.id() == "4662" && e.security() && isReplication(e) })},
		{"list_scheduled_task_creations", nil, count(evs, func(e event) bool { return e.id() == "4698" && e.security() })},
		{"list_file_share_access", nil, count(evs, func(e event) bool { return e.id() == "5145" && e.security() })},
		{"list_file_share_access", map[string]any{"share_name": "c$"}, count(evs, func(e event) bool {
			return e.id() == "5145" && e.security() && strings.Contains(strings.ToLower(e["ShareName"]), "c$")
		})},
		{"list_logons", nil, count(evs, func(e event) bool { return e.id() == "4624" && e.security() })},
		{"list_logons", map[string]any{"account_name": "PGUSTAVO"}, count(evs, func(e event) bool {
			return e.id() == "4624" && e.security() && strings.EqualFold(e["TargetUserName"], "pgustavo")
		})},
		{"list_logons", map[string]any{"account_name": "' or 1=1 --"}, 0},
	}
	for _, tt := range tests {
		params := map[string]any{"data_path": glob}
		for k, v := range tt.params {
			params[k] = v
		}
		res, err := qp.Run(context.Background(), "SecurityDatasets."+tt.query, params, data.RunOptions{})
		if err != nil {
			t.Errorf("%s %v: %v", tt.query, tt.params, err)
			continue
		}
		t.Logf("%s %v: %d rows", tt.query, tt.params, res.Rows)
		if res.Rows != tt.want {
			t.Errorf("%s %v: %d rows, Go reading the JSON lines counts %d", tt.query, tt.params, res.Rows, tt.want)
		}
		if f := res.Result.Frame; f.Len() > 0 {
			i := f.ColumnIndex("TimeGenerated")
			for _, r := range f.Rows {
				if ts, ok := r[i].(time.Time); !ok || ts.Year() != 2020 {
					t.Errorf("%s: TimeGenerated %#v", tt.query, r[i])
					break
				}
			}
		}
	}
	if count(evs, lsass) == 0 || count(evs, func(e event) bool { return e.id() == "4698" }) == 0 {
		t.Fatal("corpus lacks the expected attack events")
	}
}

// TestSecurityDatasetsValues checks individual values against the JSON.
func TestSecurityDatasetsValues(t *testing.T) {
	dir := testcorpus.Path(t, "logs", "security-datasets")
	glob := filepath.Join(dir, "*.json")
	evs := readEvents(t, glob)
	qp := provider(t)
	run := func(q string, extra map[string]any) *data.RunResult {
		p := map[string]any{"data_path": glob}
		for k, v := range extra {
			p[k] = v
		}
		r, err := qp.Run(context.Background(), "SecurityDatasets."+q, p, data.RunOptions{})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return r
	}
	col := func(r *data.RunResult, name string) []string {
		f := r.Result.Frame
		i := f.ColumnIndex(name)
		if i < 0 {
			t.Fatalf("no column %s in %v", name, f.Names())
		}
		var out []string
		for _, row := range f.Rows {
			out = append(out, fmt.Sprint(row[i]))
		}
		return out
	}
	// Scheduled tasks: the task names, from Go.
	var wantTasks []string
	for _, e := range evs {
		if e.id() == "4698" && e.security() {
			wantTasks = append(wantTasks, e["TaskName"])
		}
	}
	gotTasks := col(run("list_scheduled_task_creations", nil), "TaskName")
	sort.Strings(wantTasks)
	sort.Strings(gotTasks)
	if strings.Join(gotTasks, "|") != strings.Join(wantTasks, "|") {
		t.Errorf("task names %v, want %v", gotTasks, wantTasks)
	}
	// DCSync: who asked for replication, from Go.
	users := map[string]bool{}
	for _, e := range evs {
		if e.id() == "4662" && e.security() && isReplication(e) {
			users[e["SubjectDomainName"]+`\`+e["SubjectUserName"]] = true
		}
	}
	for _, u := range col(run("list_directory_replication", nil), "UserName") {
		if !users[u] {
			t.Errorf("replication user %q not in the JSON (%v)", u, users)
		}
	}
	// LSASS access: the source images, from Go.
	srcs := map[string]int{}
	for _, e := range evs {
		if e.id() == "10" && e.sysmon() && strings.HasSuffix(strings.ToLower(e["TargetImage"]), `\lsass.exe`) {
			srcs[e["SourceImage"]]++
		}
	}
	got := map[string]int{}
	for _, s := range col(run("list_lsass_access", nil), "SourceImage") {
		got[s]++
	}
	if fmt.Sprint(got) != fmt.Sprint(srcs) {
		t.Errorf("lsass source images %v, want %v", got, srcs)
	}
	// The comsvcs MiniDump command line comes back exactly.
	var wantCmd string
	for _, e := range evs {
		if e.id() == "4688" && strings.Contains(strings.ToLower(e["CommandLine"]), "comsvcs") {
			wantCmd = e["CommandLine"]
		}
	}
	cmds := col(run("list_process_creations", map[string]any{"commandline": "comsvcs"}), "CommandLine")
	found := false
	for _, c := range cmds {
		found = found || c == wantCmd
	}
	if wantCmd == "" || !found {
		t.Errorf("comsvcs command line %q not in %v", wantCmd, cmds)
	}
}

func TestPackRegistered(t *testing.T) {
	s := querystore.Load(querystore.Sources{Embedded: true})
	if _, err := s.Get("DuckDB", "SecurityDatasets.list_lsass_access"); err != nil {
		t.Fatal(err)
	}
	files, _ := querystore.QueryFiles(querypacks.SecurityDatasets(), ".")
	for _, f := range files {
		b, _ := fsRead(f)
		if ps := querystore.Validate(f, b); len(ps) > 0 {
			t.Errorf("%s: %v", f, ps)
		}
	}
}
