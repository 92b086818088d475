package exec

import (
	"strings"
	"testing"
	"time"

	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/registry"
)

func TestParseManifest(t *testing.T) {
	good := `schema: 1
kind: data
provider_name: AcmeSQL
data_environments: [AcmeSQL, AcmeSQLProd]
version: 1.4.0
command: ["python3", "driver.py"]
settings:
  - {name: AuthKey, required: true, secret: true}
  - {name: MaxRows, type: int, default: "10000"}
limits: {start_timeout: 10s, call_timeout: 30, concurrency: 2, max_batch: 100, rate_limit: {per_second: 5, burst: 5}}
privacy: {external_service: true}
test_data: [{query: "select 1"}]
`
	m, err := ParseManifest([]byte(good), "/p/acme/plugin.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if m.KindValue != registry.KindData || m.ProviderName != "AcmeSQL" || m.Limits.CallTimeout.D() != 30*time.Second ||
		m.Limits.StartTimeout.D() != 10*time.Second || !m.Privacy.ExternalService || m.Dir != "/p/acme" {
		t.Fatalf("parsed %+v", m)
	}
	if got := m.Names(); strings.Join(got, ",") != "AcmeSQL,AcmeSQLProd" {
		t.Errorf("Names = %v", got)
	}
	if got := m.SecretNames(); len(got) != 1 || got[0] != "AuthKey" {
		t.Errorf("SecretNames = %v", got)
	}

	noName, err := ParseManifest([]byte("kind: ti\ncommand: [./x]\n"), "/p/folder-name/plugin.yaml")
	if err != nil || noName.ProviderName != "folder-name" || !noName.NameDefault {
		t.Fatalf("default name: %v %+v", err, noName)
	}

	bad := []struct {
		name, text string
		want       []string
	}{
		{"not a mapping", "- a\n- b\n", []string{"plugin.yaml:1", "mapping"}},
		{"yaml syntax", "kind: [ti\n", []string{"plugin.yaml"}},
		{"unknown key", "kind: ti\ncommand: [x]\ncomand: [y]\n", []string{"plugin.yaml:3", "comand"}},
		{"no kind", "command: [x]\n", []string{"kind: required"}},
		{"bad kind", "kind: tii\ncommand: [x]\n", []string{"plugin.yaml:1", "kind:", "tii"}},
		{"no command", "kind: ti\n", []string{"command: required"}},
		{"shell string", "kind: ti\ncommand: [\"python3 x.py --a\"]\n", []string{"plugin.yaml:2", "shell"}},
		{"bad duration", "kind: ti\ncommand: [x]\nlimits: {call_timeout: soon}\n", []string{"plugin.yaml:3", "limits.call_timeout", "soon"}},
		{"newer protocol", "kind: ti\ncommand: [x]\nprotocol: [2]\n", []string{"protocol", "upgrade msticgo"}},
		{"newer schema", "schema: 3\nkind: ti\ncommand: [x]\n", []string{"schema 3", "upgrade"}},
		{"env on ti", "kind: ti\ncommand: [x]\ndata_environments: [A]\n", []string{"data_environments"}},
		{"alias on data", "kind: data\ncommand: [x]\naliases: [A]\n", []string{"aliases"}},
		{"bad name", "kind: ti\nprovider_name: 'a b'\ncommand: [x]\n", []string{"provider_name"}},
		{"dup setting", "kind: ti\ncommand: [x]\nsettings: [{name: A}, {name: a}]\n", []string{"twice"}},
		{"bad setting type", "kind: ti\ncommand: [x]\nsettings: [{name: A, type: list}]\n", []string{"unknown type"}},
		{"negative", "kind: ti\ncommand: [x]\nlimits: {concurrency: -1}\n", []string{"negative"}},
		{"test data", "kind: data\ncommand: [x]\ntest_data: [{ioc: 1.2.3.4}]\n", []string{"need a query"}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseManifest([]byte(tc.text), "/p/x/plugin.yaml")
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	// Every problem is reported, not just the first.
	_, err = ParseManifest([]byte("kind: tii\nprovider_name: 'a b'\n"), "/p/x/plugin.yaml")
	for _, w := range []string{"kind", "provider_name", "command"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("joined error %v lacks %s", err, w)
		}
	}
}

// TestParseManifestEveryProblem: a decode problem (unknown key, wrong type,
// bad duration) hides none of the others; each problem is its own error
// with its line and key.
func TestParseManifestEveryProblem(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string // one entry per expected problem, in order
	}{
		{"audit repro", "kind: tii\nbogus: 1\ncommand: [python3, x.py]\nlimits: {concurrency: -1, call_timeout: soon}\nioc_types: [ipv9]\n", []string{
			"plugin.yaml:1: kind: ", "plugin.yaml:2: bogus: unknown key", "plugin.yaml:4: limits.call_timeout: bad duration \"soon\"",
			"plugin.yaml:4: limits.concurrency: must not be negative", "plugin.yaml:5: ioc_types: unsupported observable type \"ipv9\"",
		}},
		{"nested keys and types", "kind: ti\ncommand: [x]\nsettings:\n  - {nam: A}\n  - {name: B, secret: maybe}\nlimits:\n  max_batch: lots\n  rate_limit: {burst: -2, per_day: 1}\n", []string{
			"plugin.yaml:3: settings: entry 1 has no name", "plugin.yaml:4: settings[1].nam: unknown key",
			"plugin.yaml:5: settings[2].secret: cannot unmarshal", "plugin.yaml:7: limits.max_batch: cannot unmarshal",
			"plugin.yaml:8: limits.rate_limit.per_day: unknown key", "plugin.yaml:8: limits.rate_limit.burst: must not be negative",
		}},
		{"wrong shapes", "kind: context\ncommand: x\nlimits: [1]\nioc_types: [user, 'a b']\n", []string{
			"plugin.yaml:2: command: cannot unmarshal", "plugin.yaml:2: command: required", "plugin.yaml:3: limits: want a mapping",
			"plugin.yaml:4: ioc_types: \"a b\" is not a usable type name",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseManifest([]byte(tc.text), "/p/x/plugin.yaml")
			j, ok := err.(interface{ Unwrap() []error })
			if !ok {
				t.Fatalf("error %v is not a list of problems", err)
			}
			got := j.Unwrap()
			if len(got) != len(tc.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(got), len(tc.want), err)
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i].Error(), w) {
					t.Errorf("problem %d = %q, want it to contain %q", i+1, got[i], w)
				}
			}
		})
	}
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte("kind: ti\nprovider_name: X\ncommand: [x]\nlimits: {call_timeout: 1s}\n"))
	f.Add([]byte("kind: data\ndata_environments: [A, B]\ncommand: [x, y]\nsettings: [{name: K, secret: true, type: int, default: '1'}]\n"))
	f.Add([]byte("- 1\n"))
	f.Add([]byte("kind: ti\ncommand: [\"a b\"]\nprotocol: [0, 9]\n"))
	f.Add([]byte("{kind: context, command: [x], test_data: [{ioc: a}], limits: {start_timeout: 2.5}}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseManifest(b, "/p/x/plugin.yaml")
		if err == nil {
			if m.KindValue == "" || len(m.Command) == 0 || len(m.Names()) == 0 {
				t.Fatalf("accepted an incomplete manifest: %+v", m)
			}
			return
		}
		if !strings.Contains(err.Error(), "plugin.yaml") {
			t.Fatalf("error does not name the file: %v", err)
		}
	})
}

func TestDecodeLine(t *testing.T) {
	ok := []string{
		`{"jsonrpc":"2.0","id":1,"result":{"protocol":1}}`,
		`{"jsonrpc":"2.0","id":2,"error":{"code":-1,"message":"m","data":{"kind":"auth"}}}`,
		`{"jsonrpc":"2.0","method":"lookup/result","params":{"request_id":1,"result":{"id":"0"}}}` + "\r\n",
	}
	for _, s := range ok {
		if _, err := DecodeLine([]byte(s)); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	bad := map[string]string{
		"hello":                               "not a JSON object",
		"":                                    "empty",
		`{"jsonrpc":"1.0","id":1,"result":1}`: "2.0",
		`{"jsonrpc":"2.0"}`:                   "method",
		`{"jsonrpc":"2.0","id":1}`:            "result",
		`{"jsonrpc":"2.0","id":1,"result":1,"error":{"code":1,"message":"x"}}`: "not both",
		`{"jsonrpc":"2.0","id":"a","result":1}`:                                "wrong type",
		`{"jsonrpc":"2.0","id":1,"result":`:                                    "invalid JSON",
	}
	for in, want := range bad {
		_, err := DecodeLine([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", in, err, want)
		}
	}
	long := strings.Repeat("x", 1000)
	_, err := DecodeLine([]byte(long))
	if err == nil || len(err.Error()) > 400 {
		t.Errorf("long line error not shortened: %d chars", len(err.Error()))
	}
}

func FuzzDecodeLine(f *testing.F) {
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"result":{"results":[{"id":"0","status":"found"}]}}`))
	f.Add([]byte(`{"jsonrpc":"2.0","method":"query/rows","params":{"request_id":3,"rows":[[1,"a"]]}}`))
	f.Add([]byte(`{"jsonrpc":"2.0","id":9,"error":{"code":-32000,"message":"x","data":{"kind":"rate_limited","retry_after":2}}}`))
	f.Add([]byte("not json\n"))
	f.Add([]byte("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"\xff\"}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeLine(b)
		if err != nil {
			if pe, ok := err.(*ProtocolError); !ok || len(pe.Line) > 210*4 {
				t.Fatalf("unexpected error %T %v", err, err)
			}
			return
		}
		if m.JSONRPC != "2.0" || (m.Method == "" && m.ID == nil) {
			t.Fatalf("accepted %q as %+v", b, m)
		}
		if m.IsResponse() && (m.Result == nil) == (m.Error == nil) {
			t.Fatalf("response with result and error both/neither: %q", b)
		}
	})
}

// TestLimitsFromManifest: the manifest's limits reach the lookup engine
// (rate limits are enforced there); defaults fill what is not declared.
func TestLimitsFromManifest(t *testing.T) {
	tests := []struct {
		name, limits string
		want         lookup.Limits
	}{
		{"declared", "limits: {start_timeout: 2s, call_timeout: 3s, concurrency: 3, max_batch: 7, rate_limit: {per_second: 5, per_minute: 100, burst: 4}}\n",
			lookup.Limits{Concurrency: 3, PerSecond: 5, PerMinute: 100, Burst: 4, Timeout: 5 * time.Second, MaxBatch: 7}},
		{"defaults", "",
			lookup.Limits{Concurrency: 1, Timeout: DefaultCallTimeout + DefaultStartTimeout, MaxBatch: DefaultMaxBatch}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseManifest([]byte("kind: ti\nprovider_name: L\ncommand: [x]\n"+tt.limits), "/p/l/plugin.yaml")
			if err != nil {
				t.Fatal(err)
			}
			p := &Provider{def: &Definition{Manifest: m}}
			if got := p.Limits(); got != tt.want {
				t.Errorf("Limits() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestItemResultStatus: each item status and error kind of the protocol
// maps to the lookup status the docs give.
func TestItemResultStatus(t *testing.T) {
	yes, no := true, false
	cases := []struct {
		w      WireResult
		status lookup.Status
		found  bool
		msg    string
	}{
		{WireResult{Status: "found"}, lookup.StatusFound, true, ""},
		{WireResult{Status: "found", Found: &no}, lookup.StatusNotFound, false, ""},
		{WireResult{Status: "not_found"}, lookup.StatusNotFound, false, ""},
		{WireResult{Status: "Not Found"}, lookup.StatusNotFound, false, ""},
		{WireResult{Status: "unsupported"}, lookup.StatusUnsupported, false, ""},
		{WireResult{Status: "invalid"}, lookup.StatusInvalid, false, ""},
		{WireResult{Status: "not_routable"}, lookup.StatusNotRoutable, false, ""},
		{WireResult{Status: "rate_limited", RetryAfter: 2}, lookup.StatusRateLimited, false, ""},
		{WireResult{Status: "timeout"}, lookup.StatusTimeout, false, ""},
		{WireResult{Status: "not_configured"}, lookup.StatusNotConfigured, false, ""},
		{WireResult{Status: "error", ErrorKind: KindConfig}, lookup.StatusNotConfigured, false, ""},
		{WireResult{Status: "error", ErrorKind: KindAuth, Message: "key refused"}, lookup.StatusProviderError, false, "key refused"},
		{WireResult{Status: "error", ErrorKind: KindRateLimited}, lookup.StatusRateLimited, false, ""},
		{WireResult{Status: "error", ErrorKind: KindUnsupported}, lookup.StatusUnsupported, false, ""},
		{WireResult{Status: "error", ErrorKind: KindUpstream}, lookup.StatusProviderError, false, ""},
		{WireResult{Status: "error", ErrorKind: KindTimeout}, lookup.StatusTimeout, false, ""},
		{WireResult{Status: "error"}, lookup.StatusProviderError, false, ""},
		{WireResult{Found: &yes}, lookup.StatusFound, true, ""},
		{WireResult{Found: &no}, lookup.StatusNotFound, false, ""},
		{WireResult{}, lookup.StatusUnexpected, false, "neither status nor found"},
		{WireResult{Status: "maybe"}, lookup.StatusUnexpected, false, `unknown status "maybe"`},
	}
	for _, c := range cases {
		r := toResult(&c.w)
		if r.Status != c.status || r.Found != c.found || !strings.Contains(r.Message, c.msg) {
			t.Errorf("%+v: got %v found=%v %q, want %v found=%v %q", c.w, r.Status, r.Found, r.Message, c.status, c.found, c.msg)
		}
		if c.w.RetryAfter > 0 && r.RetryAfter != time.Duration(c.w.RetryAfter*float64(time.Second)) {
			t.Errorf("%+v: retry after %s", c.w, r.RetryAfter)
		}
	}
}
