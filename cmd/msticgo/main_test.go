package main

// End-to-end tests of `msticgo query` with the real built-in drivers linked
// exactly as the binary links them (data/drivers/all): the embedded sample
// dataset with no config, DuckDB, LocalData and a real PostgreSQL server.

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/msticgo/msticgo/internal/cli"
	"github.com/msticgo/msticgo/internal/testcorpus"
)

// run runs one msticgo command line in process with only the given
// environment variables (HOME is a fresh folder unless given).
func run(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["HOME"]; !ok {
		env["HOME"] = t.TempDir()
	}
	var out, errb bytes.Buffer
	code = cli.Run(context.Background(), cli.Env{Args: args, Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }})
	return out.String(), errb.String(), code
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestSampleWithNoConfig is the promise: a fresh install runs a
// hunting query on the embedded sample data with no config, no --env and
// no files.
func TestSampleWithNoConfig(t *testing.T) {
	out, errOut, code := run(t, nil, "query", "run", "WindowsSecurity.list_host_logons", "host_name=SRV-WEB01", "-o", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "TimeGenerated,Computer,") {
		t.Fatalf("output:\n%s", out)
	}
	for _, l := range lines[1:] {
		if !strings.Contains(l, ",SRV-WEB01,") {
			t.Errorf("row of another host: %s", l)
		}
	}
	if !strings.Contains(out, "45.135.167.27") {
		t.Error("the sample intrusion's RDP logon from 45.135.167.27 is missing")
	}
	// The same with the alias and a hostile value: bound, so no row and no error.
	out, errOut, code = run(t, nil, "query", "run", "WindowsSecurity.list_host_logons", "hostname=x' OR '1'='1", "-o", "csv")
	if code != 0 || strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Fatalf("hostile value: exit %d, %q %s", code, out, errOut)
	}
	out, _, code = run(t, nil, "query", "list", "-o", "csv")
	if code != 0 || !strings.Contains(out, "embedded:sample/sample_windows.yaml") || !strings.Contains(out, "embedded:security-datasets/") {
		t.Fatalf("list: embedded packs missing: exit %d %s", code, out)
	}
	out, _, code = run(t, nil, "query", "render", "WindowsSecurity.list_host_logons", "host_name=SRV-WEB01")
	if code != 0 || !strings.Contains(out, "lower(Computer) = lower($1)") {
		t.Fatalf("render: exit %d %s", code, out)
	}
}

func TestDuckDBExitCodes(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no", "such", "folder", "x.duckdb")
	cfg := filepath.Join(dir, "msticpyconfig.yaml")
	writeFile(t, cfg, "DataProviders:\n  DuckDB:\n    Args:\n      Database: "+missing+"\n")
	roCfg := filepath.Join(dir, "ro.yaml")
	writeFile(t, roCfg, "DataProviders:\n  DuckDB:\n    Args:\n      Database: "+filepath.Join(dir, "absent.duckdb")+"\n      ReadOnly: true\n")
	badCfg := filepath.Join(dir, "bad.yaml")
	writeFile(t, badCfg, "DataProviders:\n  DuckDB:\n    Args:\n      Databse: x.duckdb\n")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"ok", []string{"query", "exec", "--env", "DuckDB", "SELECT 42 AS answer", "-o", "csv"}, 0, ""},
		{"rejected: syntax", []string{"query", "exec", "--env", "DuckDB", "SELEC 1"}, 1, "query rejected by back end"},
		{"rejected: missing file", []string{"query", "exec", "--env", "duckdb", "SELECT * FROM read_csv('" + filepath.Join(dir, "nope.csv") + "')"}, 1, "nope.csv"},
		{"unreachable: folder missing", []string{"--config", cfg, "query", "exec", "--env", "DuckDB", "SELECT 1"}, 1, "cannot connect to back end"},
		{"unreachable: read-only and absent", []string{"--config", roCfg, "query", "exec", "--env", "DuckDB", "SELECT 1"}, 1, "cannot connect to back end"},
		{"bad setting", []string{"--config", badCfg, "query", "exec", "--env", "DuckDB", "SELECT 1"}, 2, `unknown DuckDB setting "Databse"`},
		{"unknown environment", []string{"query", "exec", "--env", "DuckDV", "SELECT 1"}, 2, `did you mean "DuckDB"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, nil, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d (want %d), stderr %q (want %q)", code, tt.code, errOut, tt.want)
			}
			if tt.code == 0 && out != "answer\n42\n" {
				t.Errorf("output %q", out)
			}
			if tt.code != 0 && strings.Count(strings.TrimSpace(errOut), "msticgo: ") != 1 {
				t.Errorf("want one error line: %q", errOut)
			}
		})
	}
}

func TestLocalDataConfig(t *testing.T) {
	logs := testcorpus.Path(t, "logs", "msticpy-testdata")
	qdir := testcorpus.Path(t, "queries-msticpy", "localdata")
	dir := t.TempDir()
	for name, text := range map[string]string{
		// MSTICPy's place for the paths: the top-level LocalData section.
		"toplevel.yaml": "DataProviders:\n  LocalData: {}\nLocalData:\n  data_paths:\n    - " + logs + "\n",
		"args.yaml":     "DataProviders:\n  LocalData:\n    Args:\n      data_paths: " + logs + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			cfg := filepath.Join(dir, name)
			writeFile(t, cfg, text)
			out, errOut, code := run(t, nil, "--config", cfg, "--query-path", qdir, "query", "run", "--env", "LocalData", "WindowsSecurity.list_host_logons", "-o", "csv")
			if code != 0 || strings.Count(out, "\n") < 10 {
				t.Fatalf("exit %d, %d lines: %s", code, strings.Count(out, "\n"), errOut)
			}
		})
	}
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "empty.yaml")
	writeFile(t, cfg, "LocalData:\n  data_paths: ["+empty+"]\n")
	_, errOut, code := run(t, nil, "--config", cfg, "--query-path", qdir, "query", "run", "--env", "LocalData", "WindowsSecurity.list_host_logons")
	if code != 1 || !strings.Contains(errOut, "host_logons.pkl") || !strings.Contains(errOut, "not found") {
		t.Fatalf("missing data file: exit %d %s", code, errOut)
	}
	// Two entries for LocalData: --env LocalData is ambiguous (exit 2,
	// both named); each entry name selects its own settings.
	cfg = filepath.Join(dir, "two.yaml")
	writeFile(t, cfg, "DataProviders:\n  Empty:\n    Provider: LocalData\n    Args:\n      data_paths: "+empty+"\n  Logs:\n    Provider: LocalData\n    Args:\n      data_paths: "+logs+"\n")
	_, errOut, code = run(t, nil, "--config", cfg, "--query-path", qdir, "query", "run", "--env", "LocalData", "WindowsSecurity.list_host_logons")
	if code != 2 || !strings.Contains(errOut, "DataProviders entries Empty, Logs all configure the LocalData driver") {
		t.Errorf("ambiguous entries: exit %d %s", code, errOut)
	}
	out, errOut, code := run(t, nil, "--config", cfg, "--query-path", qdir, "query", "run", "--env", "Logs", "WindowsSecurity.list_host_logons", "-o", "csv")
	if code != 0 || strings.Count(out, "\n") < 10 {
		t.Errorf("--env Logs: exit %d %s", code, errOut)
	}
	out, errOut, code = run(t, nil, "--config", cfg, "--query-path", qdir, "query", "list", "--env", "Logs", "-o", "csv")
	if code != 0 || !strings.Contains(out, "\nWindowsSecurity.list_host_logons,") {
		t.Errorf("query list --env Logs: exit %d %s %s", code, out, errOut)
	}
}

// pgSettings reads MSTICGO_TEST_PG_DSN (skip without it unless
// MSTICGO_REQUIRE_PG=1).
func pgSettings(t *testing.T) (host, port, db, user, pw string) {
	t.Helper()
	dsn := os.Getenv("MSTICGO_TEST_PG_DSN")
	if dsn == "" {
		if os.Getenv("MSTICGO_REQUIRE_PG") == "1" {
			t.Fatal("MSTICGO_REQUIRE_PG=1 but MSTICGO_TEST_PG_DSN is not set")
		}
		t.Skip("set MSTICGO_TEST_PG_DSN to run the PostgreSQL end-to-end test")
	}
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		t.Fatal("MSTICGO_TEST_PG_DSN must be a postgres://user:password@host:port/db URL")
	}
	pw, _ = u.User.Password()
	port = u.Port()
	if port == "" {
		port = "5432"
	}
	return u.Hostname(), port, strings.TrimPrefix(u.Path, "/"), u.User.Username(), pw
}

const pgQueries = `metadata:
  version: 1
  description: end-to-end test queries for PostgreSQL
  data_environments: [PostgreSQL]
  data_families: [E2E]
sources:
  notes_for_host:
    description: notes of one host
    args:
      query: "SELECT id, host, note FROM {table} WHERE host = '{host_name}' ORDER BY id"
    parameters:
      table: {description: the table, type: str}
      host_name: {description: the host, type: str, aliases: [hostname]}
`

// TestPostgreSQLConfig runs queries through DataProviders.PostgreSQL of a
// config file (password from an environment variable): hostile values are
// bound, a refused query and an unreachable server are runtime failures
// (exit 1) whose messages never hold the password.
func TestPostgreSQLConfig(t *testing.T) {
	host, port, db, user, pw := pgSettings(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "queries", "pg.yaml"), pgQueries)
	config := func(port string) string {
		p := filepath.Join(dir, "pg-"+port+".yaml")
		writeFile(t, p, fmt.Sprintf(`DataProviders:
  PostgreSQL:
    Args:
      Host: %s
      Port: "%s"
      Database: %s
      User: %s
      Password:
        EnvironmentVar: E2E_PG_PASSWORD
      SSLMode: disable
      ConnectTimeout: 5
QueryDefinitions:
  Custom: [queries]
`, host, port, db, user))
		return p
	}
	cfg := config(port)
	env := func() map[string]string { return map[string]string{"E2E_PG_PASSWORD": pw} }
	schema := fmt.Sprintf("msticgo_e2e_%d", time.Now().UnixNano())
	tbl := schema + ".notes"
	exec := func(sql string) {
		t.Helper()
		if _, errOut, code := run(t, env(), "--config", cfg, "query", "exec", "--env", "PostgreSQL", sql); code != 0 {
			t.Fatalf("%s: exit %d %s", sql, code, errOut)
		}
	}
	exec("CREATE SCHEMA " + schema)
	t.Cleanup(func() {
		run(t, env(), "--config", cfg, "query", "exec", "--env", "PostgreSQL", "DROP SCHEMA "+schema+" CASCADE")
	})
	exec("CREATE TABLE " + tbl + " (id int, host text, note text)")
	hostile := []string{`' or 1=1 --`, `"`, `\`, "a\nb", "ünï😀", `x'); DROP TABLE ` + tbl + `; --`, "SRV-WEB01"}
	var values []string
	for i, h := range hostile {
		values = append(values, fmt.Sprintf("(%d, '%s', 'note %d')", i, strings.ReplaceAll(h, "'", "''"), i))
	}
	exec("INSERT INTO " + tbl + " VALUES " + strings.Join(values, ", "))
	for i, h := range hostile {
		out, errOut, code := run(t, env(), "--config", cfg, "query", "run", "--env", "Postgres", "E2E.notes_for_host", "table="+tbl, "hostname="+h, "-o", "ndjson")
		want := fmt.Sprintf(`"note":"note %d"`, i)
		if code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, want) {
			t.Errorf("%q: exit %d, rows %q, %s", h, code, out, errOut)
		}
	}
	out, errOut, code := run(t, env(), "--config", cfg, "query", "render", "--env", "PostgreSQL", "E2E.notes_for_host", "table="+tbl, "host_name=' or 1=1 --")
	if code != 0 || !strings.Contains(out, "WHERE host = $1 ORDER BY id") || !strings.Contains(errOut, `$1="' or 1=1 --"`) {
		t.Errorf("render: exit %d %q %q", code, out, errOut)
	}

	// A query the server refuses: exit 1, the SQLSTATE in the message.
	_, errOut, code = run(t, env(), "--config", cfg, "query", "run", "--env", "PostgreSQL", "E2E.notes_for_host", "table="+schema+".missing", "host_name=x")
	if code != 1 || !strings.Contains(errOut, "42P01") || strings.Contains(errOut, pw) {
		t.Errorf("rejected: exit %d %s", code, errOut)
	}
	_, errOut, code = run(t, env(), "--config", cfg, "query", "exec", "--env", "PostgreSQL", "SELEC 1")
	if code != 1 || !strings.Contains(errOut, "42601") {
		t.Errorf("rejected exec: exit %d %s", code, errOut)
	}
	// Bad input is caught before anything is sent: exit 2.
	_, errOut, code = run(t, env(), "--config", cfg, "query", "run", "--env", "PostgreSQL", "E2E.notes_for_host", "table="+tbl)
	if code != 2 || !strings.Contains(errOut, `"host_name"`) {
		t.Errorf("missing parameter: exit %d %s", code, errOut)
	}
	// The password variable unset: the entry is not configured (exit 2).
	_, errOut, code = run(t, nil, "--config", cfg, "query", "exec", "--env", "PostgreSQL", "SELECT 1")
	if code != 2 || !strings.Contains(errOut, "E2E_PG_PASSWORD") {
		t.Errorf("no password: exit %d %s", code, errOut)
	}

	// Unreachable server (a closed loopback port): exit 1, no password.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	down := config(closed)
	for _, args := range [][]string{
		{"--config", down, "query", "exec", "--env", "PostgreSQL", "SELECT 1"},
		{"--config", down, "query", "run", "--env", "PostgreSQL", "E2E.notes_for_host", "table=" + tbl, "host_name=x"},
	} {
		_, errOut, code := run(t, env(), args...)
		if code != 1 || !strings.Contains(errOut, "cannot connect to back end") || !strings.Contains(errOut, closed) || strings.Contains(errOut, pw) {
			t.Errorf("%v: exit %d %s", args[3:5], code, errOut)
		}
	}
}

// TestConfigValidateDriverSettings: config validate reports, all at once,
// the DataProviders settings a built-in driver refuses (as running a query
// would, exit 2), naming the entry; accepted settings give no problem.
func TestConfigValidateDriverSettings(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		text string
		code int
		want []string
	}{
		{"accepted", "DataProviders:\n  DuckDB:\n    Args: {ReadOnly: 'false', MemoryLimit: 1GB}\n  PostgreSQL:\n    Args: {Host: db.example, Port: '5432'}\nLocalData:\n  data_paths: [logs]\n", 0,
			[]string{"no problems found"}},
		{"connection string of the wrong form", "DataProviders:\n  PostgreSQL:\n    Args:\n      ConnectionString: \"postgres://hunter:Pg7PassW0rdX@127.0.0.1:notaport/huntdb\"\n  PG-Three:\n    Provider: PostgreSQL\n    Args:\n      ConnectionString: \"host=127.0.0.1 password='kv Passw0rd99' port=abc\"\n", 2,
			[]string{
				",2,DataProviders.PostgreSQL.Args,data provider PostgreSQL: bad driver settings: PostgreSQL setting ConnectionString: cannot parse `postgres://***@127.0.0.1:notaport/huntdb`: invalid port",
				",5,DataProviders.PG-Three.Args,data provider PG-Three: bad driver settings: PostgreSQL setting ConnectionString: cannot parse `host=127.0.0.1 password=***`: invalid port",
			}},
		{"every refusal at once", "DataProviders:\n  DuckDB:\n    Args: {Bogus: '1'}\n  PG-Prod:\n    Provider: PostgreSQL\n    Args: {Port: abc}\n  LocalData:\n    Args: {paths: x}\n", 2,
			[]string{
				`error,` + filepath.Join(dir, "every refusal at once.yaml") + `,2,DataProviders.DuckDB.Args,"data provider DuckDB: bad driver settings: unknown DuckDB setting ""Bogus""`,
				`,4,DataProviders.PG-Prod.Args,"data provider PG-Prod: bad driver settings: PostgreSQL setting Port: ""abc"" is not a port number"`,
				`,7,DataProviders.LocalData.Args,"data provider LocalData: bad driver settings: unknown LocalData setting ""paths""`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := filepath.Join(dir, tt.name+".yaml")
			writeFile(t, cfg, tt.text)
			format := "csv"
			if tt.code == 0 {
				format = "table"
			}
			out, errOut, code := run(t, nil, "--config", cfg, "-o", format, "config", "validate")
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, pw := range []string{"Pg7PassW0rdX", "Passw0rd99"} {
				if strings.Contains(out+errOut, pw) {
					t.Errorf("password %q shown:\n%s%s", pw, out, errOut)
				}
			}
		})
	}
}
