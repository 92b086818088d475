package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/internal/testcorpus"
	"github.com/msticgo/msticgo/registry"
	"github.com/msticgo/msticgo/table"
)

func runQueryCLI(t *testing.T, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["HOME"]; !ok {
		env["HOME"] = t.TempDir()
	}
	code := Run(context.Background(), Env{Args: args, Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }})
	return out.String(), errb.String(), code
}

// cliTestDriver answers every query with one row holding the text; a query
// containing "FAIL" fails as rejected by the back end.
type cliTestDriver struct{ mu sync.Mutex }

func (d *cliTestDriver) Connect(context.Context, string) error { return nil }
func (d *cliTestDriver) Dialect() string                       { return "kql" }
func (d *cliTestDriver) Query(_ context.Context, q data.Query) (*data.Result, error) {
	if strings.Contains(q.Text, "FAIL") {
		return nil, fmt.Errorf("syntax error near FAIL: %w", data.ErrRejected)
	}
	f := table.NewStrings("text")
	f.Append(q.Text)
	return &data.Result{Frame: f, Truncated: strings.Contains(q.Text, "take 1"), Code: "row_limit"}, nil
}

// withTestDriver registers CLITest (alias MSSentinel) in this run's
// registry only (a registry hook on the clone, removed afterwards).
func withTestDriver(t *testing.T) {
	n := len(registryHooks)
	registryHooks = append(registryHooks, func(a *App, r *registry.Registry) error {
		return r.Register(registry.Registration{Kind: registry.KindData, Name: "CLITest", Aliases: []string{"MSSentinel", "LogAnalytics"}, Source: registry.Source{Type: "go"},
			Factory: func(context.Context, registry.FactoryArgs) (any, error) { return &cliTestDriver{}, nil }})
	})
	t.Cleanup(func() { registryHooks = registryHooks[:n] })
}

func TestQueryListRenderShow(t *testing.T) {
	qp := testcorpus.Path(t, "queries-msticpy")
	out, errOut, code := runQueryCLI(t, nil, "query", "list", "--query-path", qp, "--env", "LogAnalytics", "--family", "WindowsSecurity", "-o", "csv")
	if code != 0 || !strings.Contains(out, "WindowsSecurity.list_host_logons,") || strings.Contains(out, "SecurityAlert.") {
		t.Fatalf("list: %d %s %s", code, out, errOut)
	}
	env := map[string]string{"MSTICGO_NOW": "2026-12-03T18:00:00Z"}
	out, errOut, code = runQueryCLI(t, env, "query", "render", "--query-path", qp, "--env", "MSSentinel_New", "WindowsSecurity.list_host_processes",
		"host_name=WIN-01", "start=-3d@d", "end=+1d@d", "add_query_items=| take 10")
	want := " let start = datetime(2026-11-30T00:00:00Z); let end = datetime(2026-12-05T00:00:00Z); SecurityEvent | where EventID == 4688  | project TenantId, Account, EventID, TimeGenerated, Computer, SubjectUserSid, SubjectUserName, SubjectDomainName, SubjectLogonId, NewProcessId, NewProcessName, TokenElevationType, ProcessId, CommandLine, ParentProcessName, TargetLogonId, SourceComputerId | extend TimeCreatedUtc=TimeGenerated | where true | where Computer has \"WIN-01\" | where TimeGenerated >= start | where TimeGenerated <= end | take 10\n"
	if code != 0 || out != want {
		t.Fatalf("render: %d\n%q\n%s", code, out, errOut)
	}
	out, _, code = runQueryCLI(t, env, "query", "render", "--query-path", qp, "--env", "AzureSentinel", "Azure.list_aad_signins_for_ip",
		`ip_address_list=["203.0.113.5","a,b"]`, "start=2024-03-01T00:00:00Z", "end=2024-03-02T12:30:00Z")
	if code != 0 || !strings.Contains(out, "where IPAddress in ('203.0.113.5', 'a,b')") {
		t.Fatalf("JSON list: %d %s", code, out)
	}
	out, _, code = runQueryCLI(t, env, "query", "render", "--query-path", qp, "--env", "MSSentinel", "Azure.list_aad_signins_for_ip", "ip_address_list=1.1.1.1, 2.2.2.2")
	if code != 0 || !strings.Contains(out, "in ('1.1.1.1', '2.2.2.2')") || !strings.Contains(out, "datetime(2026-12-02T18:00:00+00:00)") {
		t.Fatalf("comma list + default window: %d %s", code, out)
	}
	out, _, code = runQueryCLI(t, nil, "query", "show", "--query-path", qp, "--env", "MDATP", "MDE.list_file_events_for_hash", "-o", "csv")
	if code != 0 || !strings.Contains(out, "file_hash,str,yes,,hash,") {
		t.Fatalf("show: %d %s", code, out)
	}
}

func TestQueryBadInput(t *testing.T) {
	qp := testcorpus.Path(t, "queries-msticpy")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"query", "render", "--query-path", qp, "--env", "Sentinel", "SecurityAlert.list_alerts"}, `did you mean "MSSentinel"`},
		{[]string{"query", "render", "--query-path", qp, "--env", "MSSentinel", "SecurityAlert.list_alert"}, `did you mean "SecurityAlert.list_alerts"`},
		{[]string{"query", "render", "--query-path", qp, "--env", "MSSentinel", "WindowsSecurity.list_host_logons"}, `no values found for these required parameters: "host_name"`},
		{[]string{"query", "render", "--query-path", qp, "--env", "MSSentinel", "WindowsSecurity.list_host_logons", "host_name=x", "hots=y"}, `unknown parameters "hots"`},
		{[]string{"query", "render", "--query-path", qp, "--env", "MSSentinel", "WindowsSecurity.list_host_logons", "host_name=x", "start=01/02/2024"}, "ambiguous"},
		{[]string{"query", "render", "--query-path", qp, "--env", "MSSentinel", "WindowsSecurity.list_host_logons", "host_name=x", "start=yesterday"}, `cannot read "yesterday"`},
		{[]string{"query", "render", "--query-path", qp, "--env", "MSSentinel", "Azure.list_aad_signins_for_ip", "ip_address_list=[1,"}, "not a JSON list"},
		{[]string{"query", "render", "--query-path", qp, "--env", "MSSentinel", "Azure.list_aad_signins_for_ip", "ip_address_list=[]"}, "empty list"},
		{[]string{"query", "list", "--query-path", filepath.Join(qp, "nope")}, "--query-path"},
		{[]string{"query", "render", "--query-path", qp, "--env", "MSSentinel", "WindowsSecurity.list_host_logons", "host_name"}, "want key=value"},
		{[]string{"query", "exec", "select 1"}, "needs --env"},
		{[]string{"query", "run", "--query-path", qp, " "}, "msticgo: give a query name (Family.name); see msticgo query list"},
	}
	for _, c := range cases {
		_, errOut, code := runQueryCLI(t, nil, c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: code %d, stderr %q, want %q", c.args[4:], code, errOut, c.want)
		}
	}
}

func TestQueryValidate(t *testing.T) {
	fx := testcorpus.Path(t, "queries-fixtures")
	out, errOut, code := runQueryCLI(t, nil, "query", "validate", "--strict", filepath.Join(fx, "queries", "invalid"), "-o", "csv")
	if code != 2 {
		t.Fatalf("code %d %s", code, errOut)
	}
	for _, f := range []string{"empty_parameter_default", "incorrect_version", "invalid_parameter_type", "long_parameter_description", "missing_metadata", "missing_sources", "short_parameter_description"} {
		if !strings.Contains(out, "sample_minimal_"+f+".yaml") {
			t.Errorf("%s not reported:\n%s", f, out)
		}
	}
	_, errOut, code = runQueryCLI(t, nil, "query", "validate", filepath.Join(fx, "queries", "valid"), filepath.Join(fx, "data_q_success.yaml"))
	if code != 0 || !strings.Contains(errOut, "3 files") {
		t.Errorf("valid: %d %s", code, errOut)
	}
	out, _, code = runQueryCLI(t, nil, "query", "validate", filepath.Join(fx, "data_q_source_fail_param.yaml"), "-o", "csv")
	if code != 2 || !strings.Contains(out, "args.query") || !strings.Contains(out, `""foo""`) {
		t.Errorf("fail_param: %d %s", code, out)
	}
	_, _, code = runQueryCLI(t, nil, "query", "validate", testcorpus.Path(t, "queries-msticpy"))
	if code != 0 {
		t.Errorf("corpus must validate: %d", code)
	}
	// the third-party file loads (type: string read as str, a warning) but
	// breaks MSTICPy's schema, which validate applies
	out, _, code = runQueryCLI(t, nil, "query", "validate", testcorpus.Path(t, "queries-thirdparty"), "-o", "csv")
	if code != 2 || !strings.Contains(out, `type ""string"" is not a MSTICPy type`) {
		t.Errorf("third-party: %d\n%s", code, out)
	}
	// every MSTICPy invalid fixture is rejected without --strict too
	for _, f := range []string{"empty_parameter_default", "incorrect_version", "invalid_parameter_type", "long_parameter_description", "missing_metadata", "missing_sources", "short_parameter_description"} {
		if _, _, code := runQueryCLI(t, nil, "query", "validate", filepath.Join(fx, "queries", "invalid", "sample_minimal_"+f+".yaml")); code != 2 {
			t.Errorf("%s: exit %d, want 2", f, code)
		}
	}
	// a path that does not exist is an error line; every other file is
	// still checked
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	out, errOut, code = runQueryCLI(t, nil, "query", "validate", missing, filepath.Join(fx, "data_q_source_fail_param.yaml"), filepath.Join(fx, "queries", "valid"), "-o", "csv")
	if code != 2 || !strings.Contains(errOut, "msticgo: query validate "+missing+": no such file or folder\n") || !strings.Contains(out, `""foo""`) ||
		!strings.Contains(errOut, "3 files") || !strings.Contains(errOut, "msticgo: 2 problems in query files (1 errors, 1 warnings); 1 path(s) could not be read") {
		t.Errorf("missing path: %d\n%s\n%s", code, out, errOut)
	}
}

func TestQueryRunExec(t *testing.T) {
	withTestDriver(t)
	qp := testcorpus.Path(t, "queries-msticpy")
	env := map[string]string{"MSTICGO_NOW": "2026-12-03T18:00:00Z"}
	out, errOut, code := runQueryCLI(t, env, "query", "run", "--query-path", qp, "--env", "LogAnalytics", "WindowsSecurity.list_host_logons", "host_name=WIN\"01", "-o", "ndjson")
	if code != 0 || !strings.Contains(out, `where Computer has \"WIN\\\"01\"`) {
		t.Fatalf("run: %d %s %s", code, out, errOut)
	}
	out, errOut, code = runQueryCLI(t, env, "query", "run", "--query-path", qp, "--env", "MSSentinel", "WindowsSecurity.list_host_logons", "host_name=h", "start=-3h", "end=now", "--split-by", "1h", "-o", "csv")
	if code != 0 || strings.Count(out, "\n") != 4 {
		t.Fatalf("split: %d %q %s", code, out, errOut)
	}
	out, errOut, code = runQueryCLI(t, env, "query", "run", "--query-path", qp, "--env", "MSSentinel", "WindowsSecurity.list_host_logons", "host_name=h", "add_query_items=| take 1", "-o", "csv")
	if code != 0 || !strings.Contains(errOut, "truncated by the back end (code row_limit) after 1 rows") {
		t.Fatalf("truncated: %d %s", code, errOut)
	}
	out, errOut, code = runQueryCLI(t, env, "query", "render", "--query-path", qp, "--env", "MSSentinel", "WindowsSecurity.list_host_logons", "host_name=h", "start=-150m", "end=now", "--split-by", "1h")
	if code != 0 || strings.Count(out, "SecurityEvent") != 3 || !strings.HasPrefix(out, "2026-12-03 15:30:00+00:00-2026-12-03 16:29:59.999999999+00:00\n") ||
		!strings.Contains(out, "\n\n2026-12-03 17:30:00+00:00-2026-12-03 18:00:00+00:00\n") {
		t.Fatalf("render split: %d %q %s", code, out, errOut)
	}
	for _, bad := range [][]string{
		{"query", "run", "--query-path", qp, "--env", "MSSentinel", "WindowsSecurity.list_host_logons", "host_name=h", "--split-by", "soon"},
		{"query", "render", "--query-path", qp, "--env", "MSSentinel", "WindowsSecurity.list_host_logons", "host_name=h", "split_query_by=soon"},
		{"query", "run", "--query-path", qp, "--env", "MSSentinel", "WindowsSecurity.list_host_logons", "host_name=h", "start=now", "end=-1d", "--split-by", "1h"},
	} {
		if _, errOut, code := runQueryCLI(t, env, bad...); code != 2 || !(strings.Contains(errOut, "split_query_by") || strings.Contains(errOut, `parameter "start": 2026-12-03T18:00:00+00:00 is after end`)) {
			t.Errorf("%v: want exit 2 naming split_query_by, got %d %s", bad[6:], code, errOut)
		}
	}
	_, errOut, code = runQueryCLI(t, env, "query", "exec", "--env", "clitest", "FAIL here")
	if code != 1 || !strings.Contains(errOut, "syntax error") {
		t.Fatalf("exec rejected: %d %s", code, errOut)
	}
	out, _, code = runQueryCLI(t, env, "query", "exec", "--env", "clitest", "T | take 5", "-o", "csv")
	if code != 0 || out != "text\nT | take 5\n" {
		t.Fatalf("exec: %d %q", code, out)
	}
}

// queryFile is a one-query file of family fam for environment MSSentinel.
func queryFile(fam, text string) string {
	return `metadata:
  version: 1
  description: query path test
  data_environments: [LogAnalytics]
  data_families: [` + fam + `]
sources:
  q:
    description: a test query
    args:
      query: '` + text + `'
`
}

// TestQueryPaths: queries come from every --query-path (repeatable), config
// QueryDefinitions Custom and Default (relative to the config file), plugin
// folders; the first definition of a duplicate wins
// and one warning names both files.
func TestQueryPaths(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("p1/a.yaml", queryFile("PathOne", "T1"))
	write("p2/nested/b.yml", queryFile("PathTwo", "T2"))
	write("custom/c.yaml", queryFile("Custom", "T3"))
	write("custom/dup.yaml", queryFile("Dup", "from custom"))
	write("default/d.yaml", queryFile("Default", "T4"))
	write("default/dup.yaml", queryFile("Dup", "from default"))
	write("plugins/e.yaml", queryFile("Plugin", "T5"))
	write("p1/typo.yaml", strings.Replace(queryFile("Typo", "T {x}"), "sources:\n  q:\n", "sources:\n  q:\n    parameters:\n      x: {description: an x, type: str, defualt: v}\n", 1))
	write("p1/broken.yaml", "metadata:\n  version: 1\n  data_environments: [LogAnalytics\nsources: {}\n")
	write("p1/badtype.yaml", strings.Replace(queryFile("BadType", "T {x}"), "sources:\n  q:\n", "sources:\n  q:\n    parameters:\n      x: {description: an x, type: number}\n", 1))
	write("cfg/msticpyconfig.yaml", "QueryDefinitions:\n  Custom: [../custom, ../missing]\n  Default: ../default\nPluginFolders: [../plugins]\n")
	out, errOut, code := runQueryCLI(t, nil, "--config", filepath.Join(dir, "cfg", "msticpyconfig.yaml"),
		"--query-path", filepath.Join(dir, "p1"), "--query-path", filepath.Join(dir, "p2"), "query", "list", "--env", "MSSentinel", "-o", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, q := range []string{"PathOne.q", "PathTwo.q", "Custom.q", "Default.q", "Plugin.q", "Dup.q"} {
		if !strings.Contains(out, "\n"+q+",") {
			t.Errorf("%s missing:\n%s", q, out)
		}
	}
	// broken files are reported (file, line, field) and lose nothing else
	if !strings.Contains(errOut, filepath.Join(dir, "p1", "broken.yaml")+":") || !strings.Contains(errOut, "invalid YAML") {
		t.Errorf("broken YAML not reported with its file: %s", errOut)
	}
	if !strings.Contains(errOut, filepath.Join(dir, "p1", "badtype.yaml")+":9: query \\\"q\\\": parameters.x.type: unknown type \\\"number\\\"") {
		t.Errorf("undeclared type not reported: %s", errOut)
	}
	// a likely typo in a query file is shown (other warnings are debug lines)
	if !strings.Contains(errOut, filepath.Join(dir, "p1", "typo.yaml")+`:9: warning: query \"q\": parameters.x.defualt: unknown key \"defualt\" ignored: did you mean default?`) || !strings.Contains(out, "\nTypo.q,") {
		t.Errorf("typo warning or its query missing: %s\n%s", errOut, out)
	}
	if strings.Contains(out, "BadType.q") {
		t.Error("a query with an unknown parameter type must not load")
	}
	if !strings.Contains(errOut, "QueryDefinitions.Custom: query folder "+filepath.Join(dir, "missing")+" not found") {
		t.Errorf("a missing Custom folder must be a warning: %s", errOut)
	}
	if !strings.Contains(errOut, filepath.Join(dir, "default", "dup.yaml")+": 1 queries already defined in "+filepath.Join(dir, "custom", "dup.yaml")+", which is kept: Dup.q") {
		t.Errorf("duplicate warning: %s", errOut)
	}
	out, _, code = runQueryCLI(t, nil, "--config", filepath.Join(dir, "cfg", "msticpyconfig.yaml"), "query", "render", "--env", "MSSentinel", "Dup.q")
	if code != 0 || out != "from custom\n" {
		t.Errorf("first definition must win: %d %q", code, out)
	}
	// a query rejected when its file loaded: exit 2 saying why, with or without --env
	for _, envArgs := range [][]string{{"--env", "MSSentinel"}, nil} {
		args := append([]string{"--query-path", filepath.Join(dir, "p1"), "query", "render"}, envArgs...)
		_, errOut, code = runQueryCLI(t, nil, append(args, "BadType.q")...)
		if code != 2 || !strings.Contains(errOut, "msticgo: query not found: BadType.q") || !strings.Contains(errOut, "rejected when its file loaded: "+filepath.Join(dir, "p1", "badtype.yaml")+`:9: query "q": parameters.x.type: unknown type "number"`) {
			t.Errorf("rejected query %v: exit %d, stderr %s", envArgs, code, errOut)
		}
	}
	// (the embedded packs: cmd/msticgo's TestSampleWithNoConfig, where they are linked)
}

// TestQueryCompletion: shell completion offers query names (of --env when
// given), the parameters not given yet, and --env values: drivers,
// DataProviders entry names and environments of the query files.
func TestQueryCompletion(t *testing.T) {
	qp := testcorpus.Path(t, "queries-msticpy")
	cfg := writeConfig(t, "DataProviders:\n  PG-Prod:\n    Provider: PostgreSQL\n    Args: {Host: db.example}\n")
	tests := []struct {
		name    string
		args    []string
		want    []string
		notWant []string
	}{
		{"query names", []string{"query", "show", "--query-path", qp, "--env", "MSSentinel", "WindowsSecurity.list_host_l"},
			[]string{"WindowsSecurity.list_host_logons\n", "WindowsSecurity.list_host_logon_failures\n"}, []string{"SecurityAlert."}},
		{"query names of another environment", []string{"query", "run", "--query-path", qp, "--env", "Splunk", "WindowsSecurity.list_host_l"},
			nil, []string{"WindowsSecurity.list_host_logons"}},
		{"parameters not given yet", []string{"query", "render", "--query-path", qp, "--env", "MSSentinel", "WindowsSecurity.list_host_logons", "host_name=x", ""},
			[]string{"start=\n", "end=\n", ":6\n"}, []string{"host_name="}},
		{"--env values", []string{"--config", cfg, "query", "run", "--query-path", qp, "--env", ""},
			[]string{"PG-Prod\n", "LocalData\n", "MSSentinel\n", "Splunk\n"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"__complete"}, tt.args...)
			out, errOut, code := runQueryCLI(t, nil, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("completion lacks %q:\n%s", w, out)
				}
			}
			for _, nw := range tt.notWant {
				if strings.Contains(out, nw) {
					t.Errorf("completion offers %q:\n%s", nw, out)
				}
			}
		})
	}
}

// TestSplitKeepsEqualRows: a split run returns every row the whole range
// returns, also rows equal to rows of other chunks (new-user review 3,
// finding 4: 174 rows became 46 with --split-by 1D).
func TestSplitKeepsEqualRows(t *testing.T) {
	dir := t.TempDir()
	q := `metadata:
  version: 1
  description: ports
  data_environments: [Sample]
  data_families: [X]
sources:
  ports:
    description: destination host and port of each connection
    args:
      query: |
        SELECT Computer, DestinationPort FROM {table}
        WHERE TimeGenerated >= CAST('{start}' AS TIMESTAMPTZ) AND TimeGenerated <= CAST('{end}' AS TIMESTAMPTZ)
    parameters:
      table: {description: the table, type: str, default: NetworkConnection}
      start: {description: start time, type: datetime}
      end: {description: end time, type: datetime}
`
	if err := os.WriteFile(filepath.Join(dir, "x.yaml"), []byte(q), 0o600); err != nil {
		t.Fatal(err)
	}
	count := func(extra ...string) int {
		args := append([]string{"--query-path", dir, "-o", "csv", "query", "run", "X.ports", "start=2026-11-20", "end=2026-11-30"}, extra...)
		r := run(t, nil, args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", extra, r.code, r.stderr)
		}
		return strings.Count(r.stdout, "\n")
	}
	whole := count()
	if whole < 100 {
		t.Fatalf("only %d lines without splitting", whole)
	}
	for _, by := range []string{"1D", "6h"} {
		if got := count("--split-by", by); got != whole {
			t.Errorf("--split-by %s: %d lines, the whole range gives %d", by, got, whole)
		}
	}
}

// query validate lists every fault of a source, and its closing error
// counts the table's rows (errors and warnings), not only the errors.
func TestQueryValidateCountsEveryRow(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"auth.yaml": `metadata:
  version: 1
  description: Auth queries for testing purposes
  data_environments: [PostgreSQL]
  data_families: [Auth]
sources:
  bad_q:
    description: two faults in one source
    args:
      query: "SELECT {foo}"
    parameters:
      x:
        description: the x
        type: number
        defualt: 1
`,
		"a.yaml": `metadata:
  version: 1
  description: Other queries for testing purposes
  data_environments: [DuckDB]
  data_families: [T]
sources:
  undecl:
    description: Undeclared placeholder
    args:
      query: "SELECT '{foo}' AS a, '{x}' AS b"
    parameters:
      x: {description: x param, type: int, default: abc}
`,
	}
	for n, body := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		path    string
		rows    []string // in the csv table
		counted string   // the stderr lines
	}{
		{"type and placeholder", filepath.Join(dir, "auth.yaml"),
			// the unknown key: MSTICPy's schema makes it an error, listed once
			[]string{`parameters.x.type,error,"unknown type ""number""`, `args.query,error,"template uses undeclared parameters ""foo"" (declared: ""x"")"`, "parameters.x.defualt,error"},
			"1 files, 0 queries, 3 errors, 0 warnings\nmsticgo: 3 problems in query files (3 errors, 0 warnings)\n"},
		{"folder", dir,
			[]string{`parameters.x.type,error`, `undecl,parameters.x.default,warning`, `undecl,args.query,error`},
			"2 files, 0 queries, 4 errors, 1 warnings\nmsticgo: 5 problems in query files (4 errors, 1 warnings)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runQueryCLI(t, nil, "query", "validate", tt.path, "-o", "csv")
			if code != 2 {
				t.Errorf("code %d", code)
			}
			for _, r := range tt.rows {
				if !strings.Contains(out, r) {
					t.Errorf("row %q missing:\n%s", r, out)
				}
			}
			if rows := strings.Count(out, "\n") - 1; !strings.Contains(tt.counted, fmt.Sprintf(" %d problems", rows)) {
				t.Errorf("%d rows, stderr %q", rows, errOut)
			}
			if errOut != tt.counted {
				t.Errorf("stderr %q, want %q", errOut, tt.counted)
			}
		})
	}
}

// TestDictParamKeepsIntegers: a dict given as JSON keeps its integers
// (1, not 1.0), as Python's json.loads reads them (acceptance audit).
func TestDictParamKeepsIntegers(t *testing.T) {
	dir := t.TempDir()
	q := "metadata: {version: 1, description: dict test file, data_environments: [MSSentinel], data_families: [Types]}\nsources:\n  d:\n    description: a dict parameter\n    args: {query: \"T | extend x = dynamic({d})\"}\n    parameters:\n      d: {description: the dict, type: dict}\n"
	if err := os.WriteFile(filepath.Join(dir, "t.yaml"), []byte(q), 0o600); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "--query-path", dir, "query", "render", "Types.d", `d={"n":1,"m":[1,2],"f":1.5}`)
	if r.code != 0 || !strings.Contains(r.stdout, "dynamic({'f': 1.5, 'm': [1, 2], 'n': 1})") {
		t.Errorf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}
