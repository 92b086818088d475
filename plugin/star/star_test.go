package star

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/registry"
)

func mustParse(t testing.TB, name, src string) *Script {
	t.Helper()
	s, err := Parse(name, []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newInst(t testing.TB, s *Script, settings map[string]string) any {
	t.Helper()
	inst, err := s.Factory(context.Background(), registry.FactoryArgs{Settings: settings, Secrets: map[string]bool{"AuthKey": true}})
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

const tiScript = `
PROVIDER_NAME = "StarTI"
ALIASES = ["ST"]
SUPPORTED = ["ipv4", "dns"]
VERSION = "1.0"

def lookup(ioc, ioc_type, settings):
    if ioc == "0.0.0.0":
        return None
    if ioc == "bad":
        return "oops"
    if ioc == "fail":
        fail("cannot look up " + ioc + " with " + settings["AuthKey"])
    if ioc == "loop":
        n = 0
        while True:
            n += 1
    if ioc.startswith("http:"):
        resp = http.get(settings["BaseUrl"] + "/ip/" + ioc[5:], headers = {"X-Key": settings["AuthKey"]})
        if resp.status != 200:
            return {"status": "error", "message": "HTTP %d" % resp.status}
        body = resp.json()
        return {"found": True, "severity": "high" if body["score"] > 80 else "information",
                "details": body, "reference": resp.url}
    if ioc == "err":
        return {"status": "error", "severity": "high", "message": "service said no"}
    return {"found": True, "severity": "warning", "details": {"type": ioc_type, "who": settings["loaded_as"]}}
`

func TestStarlarkLookup(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Key") != "k-999" {
			w.WriteHeader(401)
			return
		}
		fmt.Fprintf(w, `{"score": 90, "ip": %q}`, strings.TrimPrefix(r.URL.Path, "/ip/"))
	}))
	defer srv.Close()
	s := mustParse(t, "ti.star", tiScript)
	s.MaxSteps = 200_000
	if s.Kind != registry.KindTI || strings.Join(s.Names(), ",") != "StarTI,ST" || s.Version != "1.0" {
		t.Fatalf("globals: %+v", s)
	}
	p := newInst(t, s, map[string]string{"AuthKey": "k-999", "BaseUrl": srv.URL}).(*Provider)
	ctx := context.Background()
	cases := []struct {
		ioc    string
		status lookup.Status
		msg    string
	}{
		{"1.2.3.4", lookup.StatusFound, ""},
		{"0.0.0.0", lookup.StatusNotFound, ""},
		{"bad", lookup.StatusUnexpected, "lookup returned string"},
		{"fail", lookup.StatusProviderError, "ti.star:13:13: fail: cannot look up fail with ***"},
		{"loop", lookup.StatusProviderError, "too many steps"},
		{"http:5.6.7.8", lookup.StatusFound, ""},
		{"err", lookup.StatusProviderError, "service said no"},
	}
	for _, c := range cases {
		r := p.Lookup(ctx, lookup.Item{Ioc: c.ioc, Type: "ipv4"})
		if r.Status != c.status || !strings.Contains(r.Message, c.msg) {
			t.Errorf("%s: got %v %q, want %v containing %q", c.ioc, r.Status, r.Message, c.status, c.msg)
		}
		// A row that is not an answer carries no verdict, even when the
		// script names a severity.
		if !c.status.OK() && r.Severity != lookup.SevUnknown {
			t.Errorf("%s: %v row has severity %v, want unknown", c.ioc, r.Status, r.Severity)
		}
		if strings.Contains(r.Message, "k-999") {
			t.Errorf("%s: secret in message %q", c.ioc, r.Message)
		}
	}
	r := p.Lookup(ctx, lookup.Item{Ioc: "http:5.6.7.8", Type: "ipv4"})
	if r.Severity != lookup.SevHigh || r.Reference != srv.URL+"/ip/5.6.7.8" {
		t.Errorf("http result %+v", r)
	}
	if d := r.Details.(map[string]any); d["score"] != int64(90) {
		t.Errorf("details %v", d)
	}
}

// TestStarlarkCancel: a script in an endless loop (no step limit to stop
// it) is stopped by its call's context, whether the deadline passes or the
// caller cancels; the lookup says timeout.
func TestStarlarkCancel(t *testing.T) {
	cases := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want string
	}{
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 100*time.Millisecond)
		}, "deadline exceeded"},
		{"cancelled", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			return ctx, cancel
		}, "canceled"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := mustParse(t, "ti.star", tiScript)
			s.MaxSteps = 1 << 62
			p := newInst(t, s, nil).(*Provider)
			ctx, cancel := c.ctx()
			defer cancel()
			r := p.Lookup(ctx, lookup.Item{Ioc: "loop", Type: "ipv4"})
			if r.Status != lookup.StatusTimeout || !strings.Contains(r.Message, c.want) || !strings.Contains(r.Message, "ti.star") {
				t.Fatalf("got %v %q", r.Status, r.Message)
			}
		})
	}
}

func TestStarlarkHTTPLimits(t *testing.T) {
	big := strings.Repeat("x", 200)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			time.Sleep(500 * time.Millisecond)
		}
		fmt.Fprint(w, big)
	}))
	defer srv.Close()
	src := `
KIND = "context"
def lookup(ioc, ioc_type, settings):
    if ioc == "slow":
        http.get(settings["BaseUrl"] + "/slow", timeout = 0.1)
    else:
        http.get(ioc)
    return {}
`
	s := mustParse(t, "ctx.star", src)
	p := newInst(t, s, map[string]string{"BaseUrl": srv.URL, "HTTPAllowHosts": "allowed.example"}).(*Provider)
	r := p.Lookup(context.Background(), lookup.Item{Ioc: srv.URL + "/x"})
	if r.Status != lookup.StatusProviderError || !strings.Contains(r.Message, "allow-list") {
		t.Errorf("allow-list: %v %q", r.Status, r.Message)
	}
	p = newInst(t, s, map[string]string{"BaseUrl": srv.URL}).(*Provider)
	p.inst.http.maxBytes = 100
	r = p.Lookup(context.Background(), lookup.Item{Ioc: srv.URL + "/x"})
	if !strings.Contains(r.Message, "larger than 100 bytes") {
		t.Errorf("size cap: %v %q", r.Status, r.Message)
	}
	r = p.Lookup(context.Background(), lookup.Item{Ioc: "slow"})
	if !strings.Contains(r.Message, "timed out") {
		t.Errorf("timeout: %v %q", r.Status, r.Message)
	}
	r = p.Lookup(context.Background(), lookup.Item{Ioc: "file:///etc/passwd"})
	if !strings.Contains(r.Message, "not an http(s) URL") {
		t.Errorf("scheme: %v %q", r.Status, r.Message)
	}
}

// TestStarlarkHostModules: json and time are there for lookups; names
// outside the host modules and Starlark's built-ins are not.
func TestStarlarkHostModules(t *testing.T) {
	cases := []struct{ expr, want string }{
		{"json.decode(json.encode({'a': [1, 'x']}))", "map[a:[1 x]]"},
		{"json.indent('{\"b\":1}')", "{\n\t\"b\": 1\n}"},
		{"time.parse_duration('90s').minutes", "1.5"},
		{"time.time(year = 2024, month = 3, day = 1).unix", "1709251200"},
		{"time.now().unix > 0", "true"},
	}
	for _, c := range cases {
		s := mustParse(t, "mods.star", "def lookup(ioc, t, s):\n    return {'details': "+c.expr+"}\n")
		r := newInst(t, s, nil).(*Provider).Lookup(context.Background(), lookup.Item{Ioc: "x"})
		if r.Status != lookup.StatusFound || fmt.Sprint(r.Details) != c.want {
			t.Errorf("%s: %v %q %v, want %s", c.expr, r.Status, r.Message, r.Details, c.want)
		}
	}
	for _, name := range []string{"os", "open", "load_file", "getenv", "exec"} {
		if _, err := Parse("mods.star", []byte("def lookup(ioc, t, s):\n    return "+name+"\n"), nil); err == nil || !strings.Contains(err.Error(), "undefined: "+name) {
			t.Errorf("%s: %v; want undefined", name, err)
		}
	}
}

// TestStarlarkPrintScrubbed: print() goes to the instance's log, and a
// result may echo a setting; secret values are replaced by *** in both.
func TestStarlarkPrintScrubbed(t *testing.T) {
	var buf bytes.Buffer
	s := mustParse(t, "p.star", "def lookup(ioc, t, settings):\n    print('key is', settings['AuthKey'], 'for', ioc)\n"+
		"    return {'found': False, 'details': {'tried': ['key ' + settings['AuthKey']]}}\n")
	inst, err := s.Factory(context.Background(), registry.FactoryArgs{
		Settings: map[string]string{"AuthKey": "k-s3cr3t"}, Secrets: map[string]bool{"AuthKey": true},
		Logger: slog.New(slog.NewTextHandler(&buf, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	r := inst.(*Provider).Lookup(context.Background(), lookup.Item{Ioc: "1.2.3.4", Type: "ipv4"})
	if r.Status != lookup.StatusNotFound {
		t.Fatalf("lookup: %v %q", r.Status, r.Message)
	}
	if got := fmt.Sprint(r.Details, " ", r.RawResult); got != "map[tried:[key ***]] map[details:map[tried:[key ***]] found:false]" {
		t.Errorf("details and raw: %s", got)
	}
	out := buf.String()
	if strings.Contains(out, "k-s3cr3t") || !strings.Contains(out, "key is *** for 1.2.3.4") {
		t.Fatalf("log:\n%s", out)
	}
}

// TestStarlarkHTTPAllowList: HTTPAllowHosts admits the hosts named and
// their sub-domains (any case), a host:port entry that exact address, and
// is applied to redirects too.
func TestStarlarkHTTPAllowList(t *testing.T) {
	cases := []struct {
		allow, url string
		ok         bool
	}{
		{"", "https://anything.example/x", true},
		{"example.com", "https://example.com/x", true},
		{"example.com", "https://api.EXAMPLE.com/x", true},
		{"Example.COM", "https://example.com:8443/x", true},
		{"example.com", "https://badexample.com/x", false},
		{"example.com", "https://example.com.evil.test/x", false},
		{"a.example, b.example", "https://b.example/", true},
		{"a.example,b.example", "https://c.example/", false},
		{"127.0.0.1:8080", "http://127.0.0.1:8080/", true},
		{"127.0.0.1:8080", "http://127.0.0.1:9090/", false},
	}
	for _, c := range cases {
		u, err := url.Parse(c.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := newHTTPConfig(map[string]string{"httpallowhosts": c.allow}).allowed(u); got != c.ok {
			t.Errorf("allow %q, %s: got %v, want %v", c.allow, c.url, got, c.ok)
		}
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/away" {
			http.Redirect(w, r, "http://elsewhere.invalid/x", http.StatusFound)
			return
		}
		fmt.Fprint(w, `{"ok": true}`)
	}))
	defer srv.Close()
	s := mustParse(t, "redir.star", "def lookup(ioc, t, settings):\n    return {'details': http.get(settings['BaseUrl'] + ioc).json()}\n")
	host, _, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
	p := newInst(t, s, map[string]string{"BaseUrl": srv.URL, AllowHostsSetting: host}).(*Provider)
	if r := p.Lookup(context.Background(), lookup.Item{Ioc: "/here"}); r.Status != lookup.StatusFound {
		t.Errorf("allowed host: %v %q", r.Status, r.Message)
	}
	r := p.Lookup(context.Background(), lookup.Item{Ioc: "/away"})
	if r.Status != lookup.StatusProviderError || !strings.Contains(r.Message, `redirect to host "elsewhere.invalid" is not in the HTTPAllowHosts allow-list`) {
		t.Errorf("redirect: %v %q", r.Status, r.Message)
	}
}

func TestStarlarkData(t *testing.T) {
	src := `
DATA_ENVIRONMENTS = ["SQLTestProvider", "SQLProdProvider"]

def connect(settings):
    if settings.get("connection_string") == "bad":
        fail("cannot connect")

def query(text, params):
    return [{"ID": 1, "A": text, "B": params["settings"]["loaded_as"], "C": None},
            {"ID": 2, "A": "x", "B": "y", "C": 3.5}]
`
	s := mustParse(t, "sqlprov.star", src)
	if s.Kind != registry.KindData || strings.Join(s.Names(), ",") != "SQLTestProvider,SQLProdProvider" {
		t.Fatalf("names %v kind %v", s.Names(), s.Kind)
	}
	inst, err := s.Factory(context.Background(), registry.FactoryArgs{LoadedAs: "SQLProdProvider"})
	if err != nil {
		t.Fatal(err)
	}
	d := inst.(*Driver)
	if err := d.Connect(context.Background(), "bad"); err == nil || !strings.Contains(err.Error(), "sqlprov.star:6:") {
		t.Errorf("connect error %v", err)
	}
	if err := d.Connect(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	res, err := d.Query(context.Background(), data.Query{Text: "select 1"})
	if err != nil {
		t.Fatal(err)
	}
	f := res.Frame
	if strings.Join(f.Names(), ",") != "ID,A,B,C" || f.Len() != 2 || f.Rows[0][1] != "select 1" || f.Rows[0][2] != "SQLProdProvider" || f.Rows[1][3] != 3.5 {
		t.Errorf("frame %v %v", f.Names(), f.Rows)
	}
}

// TestStarlarkQueryShapes: query may return a list of dicts (columns in
// first-seen key order) or {"columns": [...], "rows": [[...]]}; anything
// else is an error naming the file; the limit truncates.
func TestStarlarkQueryShapes(t *testing.T) {
	src := `
def query(text, params):
    if text == "dicts":
        return [{"b": 1, "a": "x"}, {"a": "y", "c": True}]
    if text == "table":
        return {"columns": ["a", "b"], "rows": [[1, 2], [3, 4], [5, 6]]}
    if text == "badrow":
        return {"columns": ["a"], "rows": [[1, 2]]}
    if text == "none":
        return None
    return "oops"
`
	s := mustParse(t, "shapes.star", src)
	d := newInst(t, s, nil).(*Driver)
	cases := []struct {
		text      string
		limit     int
		want      string // columns | rows, or the error
		truncated bool
	}{
		{"dicts", 0, "b,a,c | [[1 x <nil>] [<nil> y true]]", false},
		{"table", 0, "a,b | [[1 2] [3 4] [5 6]]", false},
		{"table", 2, "a,b | [[1 2] [3 4]]", true},
		{"none", 0, " | []", false},
		{"badrow", 0, "shapes.star: query result: row 1: want a list of 1 values", false},
		{"other", 0, "shapes.star: query result: query returned string, want a list of dicts", false},
	}
	for _, c := range cases {
		res, err := d.Query(context.Background(), data.Query{Text: c.text, Limit: c.limit})
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = strings.Join(res.Frame.Names(), ",") + " | " + fmt.Sprint(res.Frame.Rows)
			if res.Truncated != c.truncated {
				t.Errorf("%s limit %d: truncated %v", c.text, c.limit, res.Truncated)
			}
		}
		if got != c.want && !(err != nil && strings.Contains(got, c.want)) {
			t.Errorf("%s limit %d: got %q, want %q", c.text, c.limit, got, c.want)
		}
	}
}

func TestStarlarkLoadErrors(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"syntax", "def lookup(:\n", "bad.star:1:"},
		{"undefined", "X = 1\ndef lookup(ioc, t, s):\n    return os.getenv(ioc)\n", "bad.star:3:12: undefined: os"},
		{"no function", "PROVIDER_NAME = 'x'\nKIND = 'ti'\n", "must define lookup"},
		{"nothing", "X = 1\n", "neither lookup nor query"},
		{"bad kind", "KIND = 'tix'\ndef lookup(a, b, c):\n    pass\n", "KIND"},
		{"bad name type", "PROVIDER_NAME = 3\ndef lookup(a, b, c):\n    pass\n", "PROVIDER_NAME: want a string"},
		{"arity", "def lookup(a):\n    pass\n", "takes 1 parameters"},
		{"toplevel fail", "X = 1\nfail('no')\n", "bad.star:2:5: fail: no"},
		{"toplevel http", "r = http.get('http://x')\n", "not available while the script loads"},
		{"toplevel loop", "def f():\n    x = 0\n    for i in range(100000000):\n        x += 1\nf()\n", "too many steps"},
		{"env on ti", "DATA_ENVIRONMENTS = ['A']\ndef lookup(a, b, c):\n    pass\n", "DATA_ENVIRONMENTS"},
		{"load", "load('helpers.star', 'x')\ndef lookup(a, b, c):\n    pass\n", "bad.star:1:1: cannot load helpers.star"},
		{"override not a bool", "OVERRIDE = 'yes'\ndef lookup(a, b, c):\n    pass\n", "OVERRIDE: want True or False, got string"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("bad.star", []byte(c.src), nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Errorf("error is %T, want *star.Error", err)
			}
		})
	}
}

func TestStarlarkDefaultName(t *testing.T) {
	s := mustParse(t, "/x/ContextProviderTest.star", "KIND = 'context'\ndef lookup(ioc, t, s, sub):\n    return {'details': sub}\n")
	if s.Name != "ContextProviderTest" || s.Kind != registry.KindContext {
		t.Fatalf("%s %s", s.Name, s.Kind)
	}
	p := newInst(t, s, nil).(*Provider)
	r := p.Lookup(context.Background(), lookup.Item{Ioc: "a", SubType: "sub1"})
	if r.Details != "sub1" {
		t.Errorf("subtype not passed: %v", r.Details)
	}
}

// BenchmarkStarlarkLookup is the per-call overhead of a lookup without I/O.
func BenchmarkStarlarkLookup(b *testing.B) {
	s := mustParse(b, "ti.star", tiScript)
	p := newInst(b, s, map[string]string{"AuthKey": "k"}).(*Provider)
	ctx := context.Background()
	it := lookup.Item{Ioc: "1.2.3.4", Type: "ipv4"}
	for b.Loop() {
		if r := p.Lookup(ctx, it); r.Status != lookup.StatusFound {
			b.Fatal(r.Message)
		}
	}
}

// FuzzParse: any script either loads as a provider with a kind and a name,
// or fails with an error naming the file.
func FuzzParse(f *testing.F) {
	f.Add([]byte("PROVIDER_NAME = 'X'\ndef lookup(ioc, t, s):\n    return {'found': True}\n"))
	f.Add([]byte("DATA_ENVIRONMENTS = ['A', 'B']\ndef query(text, params):\n    return []\n"))
	f.Add([]byte("KIND = 'context'\nOVERRIDE = True\nTEST_DATA = [{'ioc': 'h'}]\ndef lookup(a, b, c, d):\n    pass\n"))
	f.Add([]byte("def lookup(:\n"))
	f.Add([]byte("x = [i for i in range(10)]\nfail(x)\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		s, err := Parse("fuzz.star", src, nil)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.star") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		r := s.Registration()
		if r.Kind == "" || r.Name == "" || r.Factory == nil {
			t.Fatalf("accepted an incomplete script: %+v", r)
		}
	})
}

// TestStarlarkCyclicValues: a result that contains itself, nests too deep
// or shares one list too many times over is an "unexpected response" row
// (lookup) or an error (query) naming the file, not a crash.
func TestStarlarkCyclicValues(t *testing.T) {
	src := `
def big():
    x = [1]
    for i in range(30):
        x = [x, x]
    return x

def deep():
    x = []
    for i in range(150):
        x = [x]
    return x

def lookup(ioc, ioc_type, settings):
    if ioc == "dict":
        d = {}
        d["self"] = d
        return {"details": d}
    if ioc == "list":
        l = [1]
        l.append(l)
        return {"raw": l}
    if ioc == "indirect":
        a = {}
        b = [a]
        a["b"] = b
        return {"details": (1, a)}
    if ioc == "deep":
        return {"details": deep()}
    if ioc == "big":
        return {"details": big()}
    if ioc == "shared":
        x = [1, 2]
        return {"details": [x, x, {"y": x}]}
    return None
`
	qsrc := `
def query(text, params):
    if text == "dict":
        d = {}
        d["self"] = d
        return d
    if text == "row":
        r = {"a": 1}
        r["b"] = r
        return [r]
    return [{"a": 1}]
`
	s := mustParse(t, "cyc.star", src)
	s.MaxSteps = 1_000_000
	p := newInst(t, s, nil).(*Provider)
	cases := []struct {
		ioc    string
		status lookup.Status
		msg    string
	}{
		{"dict", lookup.StatusUnexpected, "cyc.star: lookup result: the value holds a dict or list that contains itself"},
		{"list", lookup.StatusUnexpected, "cyc.star: lookup result: the value holds a dict or list that contains itself"},
		{"indirect", lookup.StatusUnexpected, "contains itself"},
		{"deep", lookup.StatusUnexpected, "cyc.star: lookup result: the value nests deeper than 100 levels"},
		{"big", lookup.StatusUnexpected, "cyc.star: lookup result: the value holds more than 1000000 values"},
		{"shared", lookup.StatusFound, ""},
	}
	for _, c := range cases {
		r := p.Lookup(context.Background(), lookup.Item{Ioc: c.ioc, Type: "ipv4"})
		if r.Status != c.status || !strings.Contains(r.Message, c.msg) {
			t.Errorf("%s: got %v %q, want %v containing %q", c.ioc, r.Status, r.Message, c.status, c.msg)
		}
	}

	d := newInst(t, mustParse(t, "cycd.star", qsrc), nil).(*Driver)
	qcases := []struct{ text, want string }{
		{"dict", "cycd.star: query result: the value holds a dict or list that contains itself"},
		{"row", "cycd.star: query result: the value holds a dict or list that contains itself"},
		{"ok", ""},
	}
	for _, c := range qcases {
		_, err := d.Query(context.Background(), data.Query{Text: c.text})
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("query %s: got %q, want %q", c.text, got, c.want)
		}
	}
}

// TestStarlarkSeverity: the severity names are read; any other value is an
// "unexpected response" row naming the file, not a silent "information".
func TestStarlarkSeverity(t *testing.T) {
	src := `
def lookup(ioc, ioc_type, settings):
    if ioc == "none":
        return {"details": 1}
    if ioc == "int":
        return {"severity": 12345}
    if ioc == "err":
        return {"status": "error", "severity": "bogus", "message": "down"}
    return {"severity": ioc}
`
	p := newInst(t, mustParse(t, "sev.star", src), nil).(*Provider)
	cases := []struct {
		ioc    string
		status lookup.Status
		sev    lookup.Severity
		msg    string
	}{
		{"none", lookup.StatusFound, lookup.SevInformation, ""},
		{"information", lookup.StatusFound, lookup.SevInformation, ""},
		{"Warning", lookup.StatusFound, lookup.SevWarning, ""},
		{"high", lookup.StatusFound, lookup.SevHigh, ""},
		{"unknown", lookup.StatusFound, lookup.SevUnknown, ""},
		{"bogus", lookup.StatusUnexpected, lookup.SevUnknown, `sev.star: lookup returned unknown severity "bogus"`},
		{"int", lookup.StatusUnexpected, lookup.SevUnknown, `sev.star: lookup returned unknown severity 12345`},
		{"err", lookup.StatusProviderError, lookup.SevUnknown, "down"},
	}
	for _, c := range cases {
		r := p.Lookup(context.Background(), lookup.Item{Ioc: c.ioc, Type: "ipv4"})
		if r.Status != c.status || r.Severity != c.sev || !strings.Contains(r.Message, c.msg) {
			t.Errorf("%s: got %v %v %q, want %v %v containing %q", c.ioc, r.Status, r.Severity, r.Message, c.status, c.sev, c.msg)
		}
	}
}

// TestStarlarkHTTPRedirectHost: a redirect to another host (another port
// counts) is not followed, so the script's headers never reach it; the
// script gets the 3xx answer. A same-host redirect is followed and url is
// the URL that answered, without its query string.
func TestStarlarkHTTPRedirectHost(t *testing.T) {
	other := make(chan string, 10)
	away := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other <- r.Header.Get("X-Api-Key") + "|" + r.Header.Get("Authorization")
		fmt.Fprint(w, "landed")
	}))
	defer away.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, away.URL+"/landing", http.StatusFound)
		case "/same":
			http.Redirect(w, r, "/landing?k=v", http.StatusFound)
		default:
			fmt.Fprint(w, r.URL.Path+" "+r.Header.Get("X-Api-Key"))
		}
	}))
	defer srv.Close()
	src := `
def lookup(ioc, t, settings):
    r = http.get(settings["BaseUrl"] + ioc, headers = {"X-Api-Key": settings["AuthKey"], "Authorization": "Bearer " + settings["AuthKey"]})
    return {"details": {"status": r.status, "url": r.url, "body": r.body, "location": r.headers.get("location", "")}}
`
	p := newInst(t, mustParse(t, "redir.star", src), map[string]string{"BaseUrl": srv.URL, "AuthKey": "k-777"}).(*Provider)
	cases := []struct {
		path string
		want map[string]any
	}{
		{"/away", map[string]any{"status": int64(302), "url": srv.URL + "/away", "location": away.URL + "/landing"}},
		{"/same", map[string]any{"status": int64(200), "url": srv.URL + "/landing", "body": "/landing ***"}},
	}
	for _, c := range cases {
		r := p.Lookup(context.Background(), lookup.Item{Ioc: c.path, Type: "url"})
		d, ok := r.Details.(map[string]any)
		if r.Status != lookup.StatusFound || !ok {
			t.Fatalf("%s: %v %q", c.path, r.Status, r.Message)
		}
		for k, v := range c.want {
			if d[k] != v {
				t.Errorf("%s: %s = %#v, want %#v", c.path, k, d[k], v)
			}
		}
	}
	select {
	case h := <-other:
		t.Errorf("the other host was called, with headers %q", h)
	default:
	}
}

// TestStarlarkEncodedSecretScrubbed: a script that shows a secret setting
// with its case changed or escaped has it masked as the plain value is.
func TestStarlarkEncodedSecretScrubbed(t *testing.T) {
	const key = "S3cr/t+Key=Value!"
	tests := []struct{ name, expr string }{
		{"lower-cased", "k.lower()"},
		{"upper-cased", "k.upper()"},
		{"lower-case escape", "k.lower().replace('/', '%2f').replace('+', '%2b').replace('=', '%3d').replace('!', '%21')"},
		{"JSON slash escape", "k.replace('/', '\\\\/')"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			s := mustParse(t, "p.star", "def lookup(ioc, t, settings):\n    k = settings['AuthKey']\n    v = "+tt.expr+"\n"+
				"    print('key is', v)\n    return {'found': False, 'details': {'tried': 'key ' + v}}\n")
			inst, err := s.Factory(context.Background(), registry.FactoryArgs{
				Settings: map[string]string{"AuthKey": key}, Secrets: map[string]bool{"AuthKey": true},
				Logger: slog.New(slog.NewTextHandler(&buf, nil)),
			})
			if err != nil {
				t.Fatal(err)
			}
			r := inst.(*Provider).Lookup(context.Background(), lookup.Item{Ioc: "1.2.3.4", Type: "ipv4"})
			if got := fmt.Sprint(r.Details); got != "map[tried:key ***]" {
				t.Errorf("details: %s", got)
			}
			if out := buf.String(); strings.Contains(strings.ToLower(out), "s3cr") || !strings.Contains(out, "key is ***") {
				t.Errorf("log:\n%s", out)
			}
		})
	}
}

// TestStarlarkSettings: SETTINGS declares what a script reads from its
// entry's Args; a missing required one makes the entry "not configured"
// before the script runs, and a secret one is scrubbed.
func TestStarlarkSettings(t *testing.T) {
	const src = `
PROVIDER_NAME = "Keyed"
SETTINGS = [{"name": "AuthKey", "required": True, "secret": True, "description": "API key"},
            {"name": "BaseUrl"}]
def lookup(ioc, ioc_type, settings):
    fail("key " + settings["AuthKey"])
`
	s := mustParse(t, "keyed.star", src)
	reg := s.Registration()
	if fmt.Sprint(reg.Meta["required"]) != "[AuthKey]" || fmt.Sprint(reg.Meta["secrets"]) != "[AuthKey]" {
		t.Errorf("meta %v", reg.Meta)
	}
	cases := []struct {
		name     string
		settings map[string]string
		missing  bool
	}{
		{"no settings", nil, true},
		{"empty key", map[string]string{"AuthKey": ""}, true},
		{"other settings only", map[string]string{"BaseUrl": "http://127.0.0.1"}, true},
		{"key set", map[string]string{"AuthKey": "s3cr3t-value"}, false},
		{"key in another case", map[string]string{"authkey": "s3cr3t-value"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inst, err := s.Factory(context.Background(), registry.FactoryArgs{Settings: c.settings})
			if c.missing {
				var nc interface{ NotConfiguredReason() string }
				if !errors.As(err, &nc) || nc.NotConfiguredReason() != "missing required setting AuthKey" {
					t.Fatalf("got %v, want not configured", err)
				}
				if !strings.Contains(err.Error(), "Keyed") {
					t.Errorf("error %q does not name the plugin", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// secret by SETTINGS alone (FactoryArgs.Secrets is empty)
			res := inst.(lookup.Provider).Lookup(context.Background(), lookup.Item{Ioc: "20.1.2.3", Type: "ipv4", Value: "20.1.2.3"})
			if res.Status != lookup.StatusProviderError || strings.Contains(res.Message, "s3cr3t") || !strings.Contains(res.Message, "***") {
				t.Errorf("%v %q", res.Status, res.Message)
			}
		})
	}
}

func TestStarlarkSettingsErrors(t *testing.T) {
	const fn = "\ndef lookup(a, b, c):\n    pass\n"
	cases := []struct{ name, src, want string }{
		{"not a list", "SETTINGS = 'AuthKey'" + fn, "bad.star:1:1: SETTINGS: want a list of dicts"},
		{"item not a dict", "SETTINGS = ['AuthKey']" + fn, "SETTINGS: item 1: want a dict"},
		{"no name", "SETTINGS = [{'required': True}]" + fn, "SETTINGS: item 1: name is required"},
		{"required not bool", "SETTINGS = [{'name': 'A', 'required': 'yes'}]" + fn, "SETTINGS: item 1: required: want True or False"},
		{"unknown key", "SETTINGS = [{'name': 'A', 'requird': True}]" + fn, `SETTINGS: item 1: unknown key "requird"`},
		{"twice", "SETTINGS = [{'name': 'A'}, {'name': 'a'}]" + fn, "SETTINGS: item 2: a listed twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("bad.star", []byte(c.src), nil)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
		})
	}
}

// TestStarlarkEveryProblem: every problem with the globals is its own
// *Error with the line of the global, not only the first.
func TestStarlarkEveryProblem(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // one per expected problem, in order
	}{
		{"audit repro", "KIND = \"bogus\"\nSETTINGS = [{\"nam\": \"x\"}]\n", []string{
			`bad.star:1:1: KIND: unknown provider kind "bogus"`, `bad.star:2:1: SETTINGS: item 1: unknown key "nam"`,
			"bad.star:2:1: SETTINGS: item 1: name is required",
		}},
		{"many globals", "PROVIDER_NAME = 3\nALIASES = [1]\nOVERRIDE = 'no'\nTEST_DATA = [1, {'ioc': 'a'}]\nDATA_ENVIRONMENTS = ['X']\ndef lookup(a):\n    pass\nSETTINGS = [{'name': 'A', 'secret': 'y', 'x': 1}, {'name': 'a'}]\n", []string{
			"bad.star:1:1: PROVIDER_NAME: want a string, got int", "bad.star:2:1: ALIASES: want a list of strings, found int",
			"bad.star:3:1: OVERRIDE: want True or False", "bad.star:6:5: lookup: takes 1 parameters",
			"bad.star:5:1: DATA_ENVIRONMENTS: only data plugins", "bad.star:4:1: TEST_DATA: item 1: want a dict",
			`bad.star:8:1: SETTINGS: item 1: secret: want True or False`, `bad.star:8:1: SETTINGS: item 1: unknown key "x"`,
			"bad.star:8:1: SETTINGS: item 2: a listed twice",
		}},
		{"data plugin", "KIND = 'data'\nALIASES = ['a']\n", []string{
			"bad.star: query: a data plugin must define query", "bad.star:2:1: ALIASES: data plugins list their names",
		}},
		{"undefined names", "def lookup(a, b, c):\n    return foo(bar)\n", []string{
			"bad.star:2:12: undefined: foo", "bad.star:2:16: undefined: bar",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("bad.star", []byte(tc.src), nil)
			if err == nil {
				t.Fatal("no error")
			}
			got := []error{err}
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				got = j.Unwrap()
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(got), len(tc.want), err)
			}
			for i, w := range tc.want {
				var se *Error
				if !errors.As(got[i], &se) || !strings.Contains(got[i].Error(), w) {
					t.Errorf("problem %d = %q, want an *Error containing %q", i+1, got[i], w)
				}
			}
		})
	}
}
