package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/registry"
	"github.com/msticgo/msticgo/table"
)

// testDSN returns the DSN of the real test server. Without
// MSTICGO_TEST_PG_DSN the test is skipped, unless MSTICGO_REQUIRE_PG=1
// (CI), where it fails.
func testDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("MSTICGO_TEST_PG_DSN")
	if dsn == "" {
		if os.Getenv("MSTICGO_REQUIRE_PG") == "1" {
			t.Fatal("MSTICGO_REQUIRE_PG=1 but MSTICGO_TEST_PG_DSN is not set (want e.g. postgres://postgres:PW@127.0.0.1:5432/msticgo_test?sslmode=disable)")
		}
		t.Skip("PostgreSQL tests need a real server: set MSTICGO_TEST_PG_DSN (e.g. postgres://postgres:PW@127.0.0.1:5432/msticgo_test?sslmode=disable)")
	}
	return dsn
}

// settingsFromDSN splits a URL DSN into the driver's individual settings,
// so tests exercise the settings path the config uses.
func settingsFromDSN(t *testing.T, dsn string) map[string]string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		t.Fatalf("MSTICGO_TEST_PG_DSN must be a postgres:// URL")
	}
	pw, _ := u.User.Password()
	s := map[string]string{"Host": u.Hostname(), "Port": u.Port(), "Database": strings.TrimPrefix(u.Path, "/"),
		"User": u.User.Username(), "Password": pw, "SSLMode": u.Query().Get("sslmode")}
	if s["Port"] == "" {
		s["Port"] = "5432"
	}
	if s["SSLMode"] == "" {
		s["SSLMode"] = "prefer"
	}
	return s
}

func newDriver(t *testing.T, settings map[string]string) *Driver {
	t.Helper()
	reg, err := registry.Default.Lookup(registry.KindData, "postgres")
	if err != nil {
		t.Fatal(err)
	}
	v, err := reg.Factory(context.Background(), registry.FactoryArgs{LoadedAs: "PostgreSQL", Entry: "PostgreSQL", Settings: settings, Secrets: map[string]bool{"Password": true}})
	if err != nil {
		t.Fatal(err)
	}
	return v.(*Driver)
}

func connected(t *testing.T, settings map[string]string) *Driver {
	t.Helper()
	d := newDriver(t, settings)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := d.Connect(ctx, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func run(t *testing.T, d *Driver, sql string, args ...any) *data.Result {
	t.Helper()
	res, err := d.Query(context.Background(), data.Query{Text: sql, Args: args})
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return res
}

// schema creates a private schema for one test and drops it afterwards.
func schema(t *testing.T, d *Driver) string {
	name := fmt.Sprintf("msticgo_t%d", time.Now().UnixNano())
	run(t, d, "CREATE SCHEMA "+name)
	t.Cleanup(func() { d.Query(context.Background(), data.Query{Text: "DROP SCHEMA " + name + " CASCADE"}) })
	return name
}

func TestServerRoundTrip(t *testing.T) {
	dsn := testDSN(t)
	d := connected(t, settingsFromDSN(t, dsn))
	if d.Dialect() != "sql" || !strings.Contains(d.CurrentConnection(), "@") || strings.Contains(d.CurrentConnection(), settingsFromDSN(t, dsn)["Password"]) {
		t.Errorf("dialect %q connection %q", d.Dialect(), d.CurrentConnection())
	}
	s := schema(t, d)
	run(t, d, `CREATE TABLE `+s+`.logons (
		id serial PRIMARY KEY, host text NOT NULL, account varchar(64), event_id int, logon_type smallint,
		bytes bigint, score double precision, ratio numeric(6,3), ok boolean, at timestamptz, day date,
		src inet, detail jsonb, tags text[], guid uuid, dur interval)`)
	ins := `INSERT INTO ` + s + `.logons (host, account, event_id, logon_type, bytes, score, ratio, ok, at, day, src, detail, tags, guid, dur)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`
	at := time.Date(2026, 11, 27, 2, 17, 0, 0, time.FixedZone("X", 3600))
	hostile := []string{`' or 1=1 --`, `"`, `\`, "a\nb", "ünï ☃", "SRV-WEB01"}
	for i, h := range hostile {
		run(t, d, ins, h, "svc.backup", 4624, 10, int64(1)<<40, 0.25, "12.5", i%2 == 0, at, "2026-11-27", "45.135.167.27",
			map[string]any{"k": []any{1, "x"}}, []string{"a", "b,c"}, "5f1c1e6a-0d1e-4c3b-9a8e-1c2d3e4f5a6b", "1 hour")
	}
	res := run(t, d, `SELECT host, account, event_id, logon_type, bytes, score, ratio, ok, at, day, src, detail, tags, guid, dur
		FROM `+s+`.logons WHERE host = $1`, "SRV-WEB01")
	f := res.Frame
	if f.Len() != 1 {
		t.Fatalf("rows %d", f.Len())
	}
	wantTypes := []table.Type{table.String, table.String, table.Int, table.Int, table.Int, table.Float, table.Float, table.Bool,
		table.Time, table.Time, table.String, table.Any, table.Any, table.String, table.String}
	for i, w := range wantTypes {
		if f.Columns[i].Type != w {
			t.Errorf("column %s: %s, want %s", f.Columns[i].Name, f.Columns[i].Type, w)
		}
	}
	row := f.Rows[0]
	want := []any{"SRV-WEB01", "svc.backup", int64(4624), int64(10), int64(1) << 40, 0.25, 12.5, false}
	for i, w := range want {
		if row[i] != w {
			t.Errorf("%s = %#v, want %#v", f.Columns[i].Name, row[i], w)
		}
	}
	if got, ok := row[8].(time.Time); !ok || !got.Equal(at) || got.Location() != time.UTC {
		t.Errorf("at = %#v", row[8])
	}
	if got := row[9]; got != time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC) {
		t.Errorf("day = %#v", got)
	}
	if row[10] != "45.135.167.27" || row[13] != "5f1c1e6a-0d1e-4c3b-9a8e-1c2d3e4f5a6b" {
		t.Errorf("inet %#v uuid %#v", row[10], row[13])
	}
	if m, ok := row[11].(map[string]any); !ok || fmt.Sprint(m["k"]) != "[1 x]" {
		t.Errorf("jsonb %#v", row[11])
	}
	if l, ok := row[12].([]any); !ok || len(l) != 2 || l[1] != "b,c" {
		t.Errorf("text[] %#v", row[12])
	}
	// Every hostile value round-trips through bound parameters.
	for _, h := range hostile {
		res := run(t, d, `SELECT count(*) FROM `+s+`.logons WHERE host = $1`, h)
		if res.Frame.Rows[0][0] != int64(1) {
			t.Errorf("bound %q matched %v rows", h, res.Frame.Rows[0][0])
		}
	}
	// Limit and truncation.
	lim, err := d.Query(context.Background(), data.Query{Text: "SELECT * FROM " + s + ".logons ORDER BY id", Limit: 2})
	if err != nil || lim.Frame.Len() != 2 || !lim.Truncated || !strings.Contains(lim.Code, "row_limit") {
		t.Errorf("limit: %+v %v", lim, err)
	}
	all, err := d.Query(context.Background(), data.Query{Text: "SELECT * FROM " + s + ".logons", Limit: len(hostile)})
	if err != nil || all.Truncated || all.Frame.Len() != len(hostile) {
		t.Errorf("exact limit: %+v %v", all, err)
	}
}

func TestRejectedQueries(t *testing.T) {
	d := connected(t, map[string]string{"ConnectionString": testDSN(t)})
	tests := []struct {
		sql   string
		args  []any
		state string
	}{
		{"SELEC 1", nil, "42601"},
		{"SELECT * FROM no_such_table_msticgo", nil, "42P01"},
		{"SELECT 1/0", nil, "22012"},
		{"SELECT $1::int", []any{"not a number"}, "22P02"},
		{"SELECT $1::int, $2::int", []any{1}, ""}, // wrong argument count: refused before the server
	}
	for _, tt := range tests {
		_, err := d.Query(context.Background(), data.Query{Text: tt.sql, Args: tt.args})
		if !errors.Is(err, data.ErrRejected) {
			t.Errorf("%s: want ErrRejected, got %v", tt.sql, err)
			continue
		}
		var pe *Error
		if tt.state != "" && (!errors.As(err, &pe) || pe.SQLState != tt.state || !strings.Contains(err.Error(), tt.state)) {
			t.Errorf("%s: SQLSTATE %q in %v, want %s", tt.sql, pe.SQLState, err, tt.state)
		}
	}
}

func TestWrongPassword(t *testing.T) {
	s := settingsFromDSN(t, testDSN(t))
	s["Password"] = "Wr0ng-Pa55word-XYZ"
	d := newDriver(t, s)
	err := d.Connect(context.Background(), "")
	if !errors.Is(err, data.ErrConnect) || strings.Contains(err.Error(), s["Password"]) {
		t.Fatalf("wrong password: %v", err)
	}
	var pe *Error
	if !errors.As(err, &pe) || pe.SQLState != "28P01" {
		t.Errorf("SQLSTATE: %v", err)
	}
}

// TestUnreachable needs no server: a closed loopback port.
func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	const pw = "s3cret-P@ss/word%42"
	cases := []map[string]string{
		{"Host": "127.0.0.1", "Port": fmt.Sprint(port), "User": "hunter", "Password": pw, "Database": "x", "SSLMode": "disable", "ConnectTimeout": "3"},
		{"ConnectionString": fmt.Sprintf("postgres://hunter:%s@127.0.0.1:%d/x?sslmode=disable&connect_timeout=3", url.QueryEscape(pw), port)},
		{"ConnectionString": fmt.Sprintf("host=127.0.0.1 port=%d user=hunter password='%s' dbname=x sslmode=disable connect_timeout=3", port, pw)},
		// no sslmode: pgx tries TLS, then plain text, and reports both
		// attempts on separate lines
		{"ConnectionString": fmt.Sprintf("host=127.0.0.1 port=%d user=hunter password='%s' dbname=x connect_timeout=3", port, pw)},
	}
	for i, s := range cases {
		d := newDriver(t, s)
		err := d.Connect(context.Background(), "")
		if !errors.Is(err, data.ErrConnect) {
			t.Errorf("case %d: want ErrConnect, got %v", i, err)
			continue
		}
		msg := err.Error()
		for _, leak := range []string{pw, url.QueryEscape(pw), url.PathEscape(pw), "s3cret"} {
			if strings.Contains(msg, leak) {
				t.Errorf("case %d: password leaked in %q", i, msg)
			}
		}
		if strings.Contains(msg, "REDACTED") {
			t.Errorf("case %d: secrets are shown as *** everywhere, got %q", i, msg)
		}
		t.Logf("case %d: %s", i, msg)
		if strings.ContainsAny(msg, "\r\n") {
			t.Errorf("case %d: error is not one line: %q", i, msg)
		}
		if !strings.Contains(msg, fmt.Sprint(port)) {
			t.Errorf("case %d: error does not name the server: %q", i, msg)
		}
	}
	if _, err := New(Options{}, nil).Query(context.Background(), data.Query{Text: "SELECT 1"}); !errors.Is(err, data.ErrConnect) {
		t.Errorf("query before connect: %v", err)
	}
}

func TestParseSettings(t *testing.T) {
	tests := []struct {
		in      map[string]string
		wantErr string
	}{
		{map[string]string{"host": "db", "port": "6543", "user_name": "u", "PASSWORD": " p ", "sslmode": "Require", "connect_timeout": "2.5"}, ""},
		{map[string]string{"Port": "99999"}, "Port"},
		{map[string]string{"SSLMode": "sometimes"}, "SSLMode"},
		{map[string]string{"ConnectTimeout": "0"}, "ConnectTimeout"},
		{map[string]string{"Hostname": "x"}, `unknown PostgreSQL setting "Hostname"`},
	}
	for _, tt := range tests {
		o, err := ParseSettings(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || o.Host != "db" || o.Port != 6543 || o.User != "u" || o.Password != " p " || o.SSLMode != "require" || o.ConnectTimeout != 2500*time.Millisecond {
			t.Errorf("%v: %+v %v", tt.in, o, err)
		}
	}
	if _, err := registry.Default.Lookup(registry.KindData, "PostgreSQL"); err != nil {
		t.Error(err)
	}
}

// TestParseErrorsHideThePassword: a connection string pgx cannot parse is
// named in the error without any part of it after "password=" nor a URL's
// password, even when stray quotes leave pgx guessing where the password
// ends; the reason stays readable. No server is contacted.
func TestParseErrorsHideThePassword(t *testing.T) {
	tests := []struct {
		name, cs string
		hidden   []string
		want     []string
	}{
		{"doubled quote", `host=127.0.0.1 port=54329 user=msticgo password='it''s a \'pw' dbname=x sslmode=disable`,
			[]string{"'s", `a \'pw`, "pw'", "dbname=x"}, []string{"host=127.0.0.1", "password=***", `missing "=" after "***"`}},
		{"unterminated quote", `host=h password='abc def`, []string{"abc", "def"}, []string{"unterminated quoted string"}},
		{"escaped space", `host=h password=abc\ def x`, []string{"abc", "def"}, []string{"invalid keyword/value"}},
		{"bad value after password", `host=127.0.0.1 password='correct horse battery' dbname=x connect_timeout=abc`,
			[]string{"correct", "horse", "battery", `"abc"`}, []string{"invalid connect_timeout"}},
		{"bad value before password", `connect_timeout=abc host=h password=s3cr3t-pw`, []string{"s3cr3t-pw"}, []string{`"abc"`, "invalid connect_timeout"}},
		{"URL", "postgres://msticgo:WRONGPW4242@127.0.0.1:54329/x?sslmode=disable&connect_timeout=abc",
			[]string{"WRONGPW4242"}, []string{"postgres://msticgo:***@127.0.0.1:54329/x", "invalid connect_timeout"}},
		{"URL not parseable", "postgres://msticgo:pa/ss%zz@127.0.0.1/x", []string{"pa/ss", "%zz", "msticgo"}, []string{"postgres://***@127.0.0.1/x", "failed to parse as URL"}},
		{"URL password in query", "postgres://h/x?password=q-pw-1&connect_timeout=abc", []string{"q-pw-1"}, []string{"postgres://h/x?password=***"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Connect with a string ParseSettings did not see (New with
			// Options, or a connection string given to Connect) ...
			err := New(Options{}, nil).Connect(context.Background(), tt.cs)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, data.ErrSettings) || errors.Is(err, data.ErrConnect) {
				t.Errorf("error %v is not ErrSettings (only)", err)
			}
			checkMessage(t, err.Error(), tt.hidden, tt.want)
			// ... and the configured setting, refused by the factory.
			_, err = factory(map[string]string{"ConnectionString": tt.cs})
			if !errors.Is(err, data.ErrSettings) || !strings.Contains(err.Error(), "PostgreSQL setting ConnectionString: cannot parse `") {
				t.Fatalf("factory: %v", err)
			}
			checkMessage(t, err.Error(), tt.hidden, tt.want)
		})
	}
}

func checkMessage(t *testing.T, msg string, hidden, want []string) {
	t.Helper()
	for _, h := range hidden {
		if strings.Contains(msg, h) {
			t.Errorf("error shows %q: %s", h, msg)
		}
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error lacks %q: %s", w, msg)
		}
	}
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("error is not one line: %q", msg)
	}
}

func factory(settings map[string]string) (any, error) {
	reg, err := registry.Default.Lookup(registry.KindData, "PostgreSQL")
	if err != nil {
		return nil, err
	}
	return reg.Factory(context.Background(), registry.FactoryArgs{LoadedAs: "PostgreSQL", Entry: "PG-Three", Settings: settings, Secrets: map[string]bool{"Password": true, "ConnectionString": true}})
}

// TestConnectionStringOfTheWrongForm: a ConnectionString pgx cannot parse
// is a settings error from the factory (data.ErrSettings, exit 2 in the
// CLI, reported by config validate), like a bad Port setting, not a
// connection failure; the password is hidden. No server is contacted.
func TestConnectionStringOfTheWrongForm(t *testing.T) {
	tests := []struct {
		name     string
		settings map[string]string
		hidden   []string
		want     []string
	}{
		{"URL port", map[string]string{"ConnectionString": "postgres://hunter:Pg7PassW0rdX@127.0.0.1:notaport/huntdb"},
			[]string{"Pg7PassW0rdX", "hunter"}, []string{"postgres://***@127.0.0.1:notaport/huntdb", "invalid port"}},
		{"key=value port", map[string]string{"ConnectionString": "host=127.0.0.1 password='kv Passw0rd99' port=abc"},
			[]string{"Passw0rd99", "kv "}, []string{"host=127.0.0.1 password=***", "invalid port"}},
		{"dsn alias, password setting", map[string]string{"dsn": "port=abc host=h", "Password": "abc-Secret-9"},
			// a string holding no password is itself a secret: shown as ***
			[]string{"abc-Secret-9", "host=h"}, []string{"cannot parse `***`: invalid port"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := factory(tt.settings)
			if err == nil {
				t.Fatal("factory accepted it")
			}
			if !errors.Is(err, data.ErrSettings) || errors.Is(err, data.ErrConnect) {
				t.Errorf("error %v is not ErrSettings (only)", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "data provider PG-Three: bad driver settings: PostgreSQL setting ConnectionString: cannot parse `") {
				t.Errorf("message: %s", msg)
			}
			checkMessage(t, msg, tt.hidden, tt.want)
		})
	}
	// Accepted forms stay accepted (nothing is contacted by the factory).
	for _, cs := range []string{"", "postgres://u:p@db.example:5432/x?sslmode=disable", "host=db.example port=5432 user=u dbname=x"} {
		if _, err := factory(map[string]string{"ConnectionString": cs}); err != nil {
			t.Errorf("%q: %v", cs, err)
		}
	}
}

// TestRepeatedColumnNames: a select list that repeats a name gives each
// column a name of its own (a, a.1), as pandas' read_sql does.
func TestRepeatedColumnNames(t *testing.T) {
	d := connected(t, settingsFromDSN(t, testDSN(t)))
	tests := []struct {
		sql  string
		want []string
	}{
		{"SELECT 1 AS a, 2 AS a", []string{"a", "a.1"}},
		{"SELECT 1 AS a, 2 AS a, 3 AS a", []string{"a", "a.1", "a.2"}},
		{"SELECT 1 AS a, 2 AS b", []string{"a", "b"}},
	}
	for _, tt := range tests {
		f := run(t, d, tt.sql).Frame
		if got := f.Names(); strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: names %q, want %q", tt.sql, got, tt.want)
		}
	}
}
