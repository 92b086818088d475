package querystore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/msticgo/msticgo/data/render"
	"github.com/msticgo/msticgo/internal/testcorpus"
)

func TestCorpusMSTICPyLoadsWithoutErrors(t *testing.T) {
	dir := testcorpus.Path(t, "queries-msticpy")
	s := New()
	if err := s.LoadPath(dir); err != nil {
		t.Fatal(err)
	}
	if s.Files() != 50 {
		t.Errorf("files = %d, want 50", s.Files())
	}
	for _, p := range s.Errors() {
		t.Errorf("unexpected error: %v", p)
	}
	if n := len(s.List("", "")); n < 300 {
		t.Errorf("only %d queries loaded", n)
	}
	if _, err := s.Get("MSSentinel", "WindowsSecurity.list_host_logons"); err != nil {
		t.Error(err)
	}
	// environment alias
	if _, err := s.Get("LogAnalytics", "WindowsSecurity.list_host_logons"); err != nil {
		t.Error(err)
	}
	if _, err := s.Get("Splunk", "WindowsSecurity.list_host_logons"); err == nil {
		t.Error("Splunk should not see a Sentinel query")
	}
}

func TestCorpusThirdParty(t *testing.T) {
	dir := testcorpus.Path(t, "queries-thirdparty")
	s := New()
	if err := s.LoadPath(dir); err != nil {
		t.Fatal(err)
	}
	if len(s.Errors()) != 0 {
		t.Fatalf("errors: %v", s.Errors())
	}
	var warnedString bool
	for _, p := range s.Problems() {
		if strings.Contains(p.Message, `"string"`) {
			warnedString = true
		}
	}
	if !warnedString {
		t.Error("type: string should be reported as a warning")
	}
	if len(s.List("", "")) == 0 {
		t.Fatal("no queries")
	}
}

func TestFixtures(t *testing.T) {
	root := testcorpus.Path(t, "queries-fixtures")
	valid := []string{"queries/valid/sample_minimal.yaml", "queries/valid/sample_complete.yaml", "data_q_success.yaml", "data_q_hierarchy.yaml"}
	for _, f := range valid {
		s := New()
		if err := s.LoadFile(filepath.Join(root, f)); err != nil {
			t.Fatal(err)
		}
		if errs := s.Errors(); len(errs) > 0 {
			t.Errorf("%s: %v", f, errs)
		}
		if len(s.List("", "")) == 0 {
			t.Errorf("%s: no queries", f)
		}
	}
	// loader rejects (file, query and field named)
	rejects := map[string]string{
		"data_q_meta_fail.yaml":                                "metadata.data_families",
		"data_q_source_fail_param.yaml":                        "args.query",
		"data_q_source_fail_type.yaml":                         ".type",
		"queries/invalid/sample_minimal_missing_metadata.yaml": "metadata",
		"queries/invalid/sample_minimal_missing_sources.yaml":  "sources",
	}
	for f, field := range rejects {
		s := New()
		_ = s.LoadFile(filepath.Join(root, f))
		errs := s.Errors()
		if len(errs) == 0 {
			t.Errorf("%s: not rejected", f)
			continue
		}
		msg := errs[0].Error()
		if !strings.Contains(msg, filepath.Base(f)) || !strings.Contains(errs[0].Field, field) {
			t.Errorf("%s: message %q should name the file and field %q", f, msg, field)
		}
	}
	// strict validation rejects every invalid fixture
	invalid, _ := filepath.Glob(filepath.Join(root, "queries/invalid/*.yaml"))
	if len(invalid) != 7 {
		t.Fatalf("want 7 invalid fixtures, got %d", len(invalid))
	}
	for _, f := range invalid {
		probs := ValidateFile(f)
		if len(probs) == 0 {
			t.Errorf("%s: strict validation found nothing", f)
			continue
		}
		for _, p := range probs {
			if !strings.Contains(p.Error(), filepath.Base(f)) {
				t.Errorf("%s: problem does not name the file: %v", f, p)
			}
		}
	}
	for _, f := range valid[:2] {
		var probs []Problem
		for _, p := range ValidateFile(filepath.Join(root, f)) {
			// MSTICPy's schema sample gives a datetime parameter the
			// default "Default Value for Parameter 2": a warning only
			if !p.Warning || !p.BadDefault {
				probs = append(probs, p)
			}
		}
		if len(probs) > 0 {
			t.Errorf("%s: %v", f, probs)
		}
	}
}

func TestHierarchy(t *testing.T) {
	f := testcorpus.Path(t, "queries-fixtures", "data_q_hierarchy.yaml")
	s := New()
	_ = s.LoadFile(f)
	var got []string
	for _, q := range s.List("MSSentinel", "Alerts") {
		got = append(got, q.FullName())
	}
	want := "Alerts.type1.query1 Alerts.type2.query2 Alerts.type3.query3"
	if strings.Join(got, " ") != want {
		t.Errorf("got %v, want %s", got, want)
	}
	if len(s.List("MSSentinel", "Alert")) != 0 {
		t.Error("family prefix must match whole segments")
	}
}

const dupA = `metadata:
  version: 1
  description: first
  data_environments: [LogAnalytics]
  data_families: [Fam]
sources:
  q1:
    description: one
    args:
      query: 'T | where x == "{x}"'
    parameters:
      x: {description: the x, type: str}
`

func TestDuplicateKeepsFirst(t *testing.T) {
	fsys := fstest.MapFS{
		"a.yaml":     {Data: []byte(dupA)},
		"sub/b.yaml": {Data: []byte(strings.Replace(dupA, "T |", "U |", 1))},
	}
	s := New()
	if err := s.LoadFS(fsys, ".", "embedded:test"); err != nil {
		t.Fatal(err)
	}
	q, err := s.Get("MSSentinel", "Fam.q1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(q.Template, "T |") {
		t.Errorf("second file won: %q", q.Template)
	}
	probs := s.Problems()
	if len(probs) != 1 || !probs[0].Warning || !strings.Contains(probs[0].Error(), "embedded:test/a.yaml") || !strings.Contains(probs[0].Error(), "embedded:test/sub/b.yaml") {
		t.Errorf("want one warning naming both files, got %v", probs)
	}
}

func TestBadInputMessages(t *testing.T) {
	cases := []struct{ name, yaml, want string }{
		{"syntax", "metadata: [\n  x: :\n", "invalid YAML"},
		{"syntax: the line once, after the file", "metadata:\n  version: 1\n  data_environments: [x\nsources: {}\n", "invalid YAML: did not find expected ',' or ']'"},
		{"tab indentation", "metadata:\n\tversion: 1\n", "f.yaml:2: invalid YAML: found character that cannot start any token"},
		{"undeclared", strings.Replace(dupA, `"{x}"`, `"{y}"`, 1), `undeclared parameters "y"`},
		{"badtype", strings.Replace(dupA, "type: str", "type: number", 1), `unknown type "number"`},
		{"noquery", strings.Replace(dupA, "query: 'T | where x == \"{x}\"'", "uri: x", 1), "args.query"},
		{"aliases a mapping", strings.Replace(dupA, "type: str}", "type: str, aliases: {a: b}}", 1), `parameters.x.aliases: aliases must be one name or a list of names`},
		{"aliases holding a list", strings.Replace(dupA, "type: str}", "type: str, aliases: [a, [b]]}", 1), `parameters.x.aliases: aliases must be one name or a list of names`},
		{"unnamed source", "metadata: {data_environments: [x], data_families: [y]}\nsources:\n  '':\n    args: {query: 'T'}\n", "sources: a source needs a name"},
		{"null source name", "metadata: {data_environments: [x], data_families: [y]}\nsources:\n  ~:\n    args: {query: 'T'}\n", "sources: a source needs a name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, probs := ParseFile("f.yaml", []byte(c.yaml))
			if len(probs) == 0 || !strings.Contains(probs[0].Error(), c.want) || !strings.HasPrefix(probs[0].Error(), "f.yaml:") {
				t.Errorf("got %v, want %q", probs, c.want)
			}
			if len(probs) > 0 && strings.Contains(probs[0].Error(), "line ") {
				t.Errorf("%q repeats the line in the message (it belongs after the file name)", probs[0])
			}
		})
	}
}

func TestLoadMissingPathKeepsOthers(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(dupA), 0o600); err != nil {
		t.Fatal(err)
	}
	s := Load(Sources{Paths: []string{filepath.Join(dir, "nope"), dir}})
	if len(s.List("", "")) != 1 || len(s.Errors()) != 1 {
		t.Errorf("queries %d errors %v", len(s.List("", "")), s.Errors())
	}
}

func FuzzParseFile(f *testing.F) {
	f.Add([]byte(dupA))
	f.Add([]byte("metadata:\n  data_environments: [a]\n  data_families: [b]\nsources:\n  q: {args: {query: '{x}'}}\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("metadata: {data_environments: [x], data_families: [y]}\nsources:\n  q:\n    args: {query: '$<m>$ {p}'}\n    query_macros: {m: {value: '{p}'}}\n    parameters: {p: {type: list, default: [1, 2]}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		qs, probs := ParseFile("f.yaml", data)
		for _, p := range probs {
			if !strings.HasPrefix(p.Error(), "f.yaml") {
				t.Fatalf("problem does not name the file: %v", p)
			}
		}
		for _, q := range qs {
			if q.Prepared == nil || q.Family == "" || q.Name == "" && len(probs) == 0 {
				t.Fatalf("incomplete query %+v", q)
			}
		}
	})
}

func TestParseCache(t *testing.T) {
	dir := testcorpus.Path(t, "queries-msticpy")
	cache := t.TempDir()
	load := func() *Store {
		s := New()
		s.SetCacheDir(cache)
		if err := s.LoadPath(dir); err != nil {
			t.Fatal(err)
		}
		return s
	}
	plain := New()
	_ = plain.LoadPath(dir)
	cold, warm := load(), load()
	entries, _ := os.ReadDir(cache)
	if len(entries) < 45 {
		t.Errorf("only %d cache entries", len(entries))
	}
	for _, s := range []*Store{cold, warm} {
		if len(s.List("", "")) != len(plain.List("", "")) || len(s.Problems()) != len(plain.Problems()) {
			t.Fatalf("cached store differs: %d/%d queries, %d/%d problems", len(s.List("", "")), len(plain.List("", "")), len(s.Problems()), len(plain.Problems()))
		}
	}
	for i, q := range warm.List("", "") {
		p := plain.List("", "")[i]
		if q.FullName() != p.FullName() || q.Template != p.Template || q.File != p.File || len(q.Params) != len(p.Params) || q.Prepared == nil {
			t.Fatalf("query %s differs from %s", q.FullName(), p.FullName())
		}
		for j := range q.Params {
			if q.Params[j].Name != p.Params[j].Name || fmt.Sprintf("%#v", q.Params[j].Default) != fmt.Sprintf("%#v", p.Params[j].Default) {
				t.Fatalf("%s param %s: %#v vs %#v", q.FullName(), q.Params[j].Name, q.Params[j].Default, p.Params[j].Default)
			}
		}
	}
	// a corrupt entry is ignored
	for _, e := range entries {
		_ = os.WriteFile(filepath.Join(cache, e.Name()), []byte("junk"), 0o600)
	}
	if s := load(); len(s.List("", "")) != len(plain.List("", "")) {
		t.Error("corrupt cache lost queries")
	}
}

// TestRejectedQuerySaysWhy: asking for a query whose source was rejected
// when its file loaded names the file, line and fault, not only "not found".
func TestRejectedQuerySaysWhy(t *testing.T) {
	bad := dupA + `  q2:
    description: two
    args:
      query: 'T | where y == "{y}"'
    parameters:
      x: {description: the x, type: str}
  q3:
    description: three
    args:
      query: 'T | take {n}'
    parameters:
      n: {description: how many, type: integer}
`
	s := New()
	s.LoadBytes("bad.yaml", []byte(bad))
	tests := []struct {
		name     string
		query    string
		want     []string
		dontWant string
	}{
		{"undeclared placeholder", "Fam.q2", []string{"rejected when its file loaded", `bad.yaml:16: query "q2": args.query: template uses undeclared parameters "y"`}, "did you mean"},
		{"unknown type", "fam.Q3", []string{`bad.yaml:24: query "q3": parameters.n.type: unknown type "integer"`}, "did you mean"},
		{"typo of a loaded query", "Fam.q", []string{`did you mean "Fam.q1"`}, "rejected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, env := range []string{"MSSentinel", ""} {
				_, err := s.Get(env, tt.query)
				if !errors.Is(err, ErrNotFound) {
					t.Fatalf("Get(%q, %q) = %v, want ErrNotFound", env, tt.query, err)
				}
				for _, w := range tt.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("Get(%q, %q): %q lacks %q", env, tt.query, err, w)
					}
				}
				if strings.Contains(err.Error(), tt.dontWant) {
					t.Errorf("Get(%q, %q): %q should not say %q", env, tt.query, err, tt.dontWant)
				}
			}
		})
	}
	if _, err := s.Get("MSSentinel", "Fam.q1"); err != nil {
		t.Errorf("the good query of the file was lost: %v", err)
	}
}

// TestDuplicateKeysInAFile: a key written twice in a query file is a
// warning naming both lines, and the later one is used, as MSTICPy's YAML
// reader does (a source, a parameter, a top-level section).
func TestDuplicateKeysInAFile(t *testing.T) {
	tests := []struct {
		name, yaml, wantProb, wantQuery, wantText string // wantQuery: Family.name rendered with x=v
	}{
		{"source twice", dupA + "  q1:\n    description: later\n    args:\n      query: 'U {x}'\n    parameters:\n      x: {description: the x, type: str}\n",
			`f.yaml:13: warning: query "q1": key written twice (first at line 7); the later one is used`, "Fam.q1", "U v"},
		{"parameter twice", strings.Replace(dupA, "      x: {description: the x, type: str}\n", "      x: {description: the x, type: int}\n      x: {description: the x, type: str}\n", 1),
			`f.yaml:13: warning: query "q1": parameters.x: key written twice (first at line 12)`, "Fam.q1", `T | where x == "v"`},
		{"section twice", dupA + "sources:\n  q2:\n    description: two\n    args:\n      query: 'V {x}'\n    parameters:\n      x: {description: the x, type: str}\n",
			`f.yaml:13: warning: sources: key written twice (first at line 6)`, "Fam.q2", "V v"},
	}
	// a big mapping (looked up through a map rather than scanned)
	var many strings.Builder
	many.WriteString(dupA)
	for i := range 70 {
		fmt.Fprintf(&many, "      p%d: {description: a p, type: str, default: d}\n", i)
	}
	many.WriteString("      p5: {description: a p, type: str, default: d}\n")
	tests = append(tests, struct {
		name, yaml, wantProb, wantQuery, wantText string
	}{"in a big mapping", many.String(), `f.yaml:83: warning: query "q1": parameters.p5: key written twice (first at line 18)`, "Fam.q1", `T | where x == "v"`})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New()
			s.LoadBytes("f.yaml", []byte(tt.yaml))
			var msgs []string
			for _, p := range s.Problems() {
				msgs = append(msgs, p.Error())
			}
			if len(s.Errors()) != 0 || !strings.Contains(strings.Join(msgs, "\n"), tt.wantProb) {
				t.Fatalf("problems:\n%s\nwant %q", strings.Join(msgs, "\n"), tt.wantProb)
			}
			q, err := s.Get("MSSentinel", tt.wantQuery)
			if err != nil {
				t.Fatal(err)
			}
			r, err := q.Prepared.Render(map[string]any{"x": "v"}, render.Options{})
			if err != nil || r.Text != tt.wantText {
				t.Errorf("rendered %q (%v), want %q: the later definition", r.Text, err, tt.wantText)
			}
		})
	}
}

// TestUnknownParameterKey: a key a parameter does not have is a warning
// (a typo such as defualt silently makes the parameter required); the
// query still loads, as in MSTICPy.
func TestUnknownParameterKey(t *testing.T) {
	tests := []struct{ name, key, want string }{
		{"typo", "defualt: v", `f.yaml:12: warning: query "q1": parameters.x.defualt: unknown key "defualt" ignored: did you mean default?`},
		{"no near key", "colour: red", `parameters.x.colour: unknown key "colour" ignored (keys: description, type, default, aliases, format)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New()
			s.LoadBytes("f.yaml", []byte(strings.Replace(dupA, "type: str}", "type: str, "+tt.key+"}", 1)))
			if len(s.Errors()) != 0 || len(s.Problems()) != 1 || !strings.Contains(s.Problems()[0].Error(), tt.want) {
				t.Fatalf("problems %v, want one warning %q", s.Problems(), tt.want)
			}
			q, err := s.Get("MSSentinel", "Fam.q1")
			if err != nil {
				t.Fatal(err)
			}
			if p, _ := q.Param("x"); !p.Required() {
				t.Errorf("x has a default from an unknown key: %+v", p)
			}
		})
	}
	// the same for a source's keys and the file's (a misspelt parameters:
	// also leaves the template's placeholders undeclared)
	for _, c := range []struct{ from, to, want string }{
		{"    parameters:\n", "    paramters:\n", `f.yaml:11: warning: query "q1": paramters: unknown key "paramters" ignored: did you mean parameters?`},
		{"sources:\n", "default:\n  parameters: {}\nsources:\n", `f.yaml:6: warning: default: unknown key "default" ignored: did you mean defaults?`},
	} {
		s := New()
		s.LoadBytes("f.yaml", []byte(strings.Replace(dupA, c.from, c.to, 1)))
		var msgs []string
		for _, p := range s.Problems() {
			msgs = append(msgs, p.Error())
		}
		if !strings.Contains(strings.Join(msgs, "\n"), c.want) {
			t.Errorf("problems:\n%s\nwant %q", strings.Join(msgs, "\n"), c.want)
		}
	}
}

// TestSourceWarningsKeepTheQuery: a warning about a query's own parameter
// (type: string, a null default, an unknown key) is only a warning: the
// query loads (it was dropped while reported as a warning).
func TestSourceWarningsKeepTheQuery(t *testing.T) {
	tests := []struct{ name, from, to, want string }{
		{"type string", "type: str}", "type: string}", `parameters.x.type: type "string" is not a MSTICPy type; read as "str"`},
		{"null default", "type: str}", "type: str, default: ~}", "parameters.x.default: default is empty (null): the parameter is required"},
		{"unknown key", "type: str}", "type: str, defualt: v}", `parameters.x.defualt: unknown key "defualt" ignored`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New()
			s.LoadBytes("f.yaml", []byte(strings.Replace(dupA, tt.from, tt.to, 1)))
			if len(s.Errors()) != 0 || len(s.Problems()) != 1 || !s.Problems()[0].Warning || !strings.Contains(s.Problems()[0].Error(), tt.want) {
				t.Fatalf("problems %v, want one warning %q", s.Problems(), tt.want)
			}
			q, err := s.Get("MSSentinel", "Fam.q1")
			if err != nil {
				t.Fatalf("the query was dropped: %v", err)
			}
			if r, err := q.Prepared.Render(map[string]any{"x": "v"}, render.Options{}); err != nil || r.Text != `T | where x == "v"` {
				t.Errorf("render %v %v", r, err)
			}
		})
	}
}

// TestDefaultsFitTheirType: a default the parameter's type cannot read is
// reported when the file loads (a warning: the query still runs with a
// value given) and is an error for validate.
func TestDefaultsFitTheirType(t *testing.T) {
	tests := []struct{ name, param, want string }{
		{"int", `{description: the x, type: int, default: "abc"}`, `f.yaml:12: warning: query "q1": parameters.x.default: default does not fit type int: want an integer, got "abc"`},
		{"bool", `{description: the x, type: bool, default: "yes"}`, `default does not fit type bool: want true or false, got "yes"`},
		{"list", `{description: the x, type: list, default: {a: 1}}`, `default does not fit type list: want a list, got a mapping`},
		{"datetime", `{description: the x, type: datetime, default: "not a date"}`, `default does not fit type datetime`},
		{"float nan", `{description: the x, type: float, default: .nan}`, `default does not fit type float: want a finite number, got nan`},
		{"float inf text", `{description: the x, type: float, default: "inf"}`, `default does not fit type float: want a number, got "inf"`},
		{"str list", `{description: the x, type: str, default: [1, 2]}`, `default does not fit type str: want a single value`},
		{"default on its own line", "\n        description: the x\n        type: int\n        default: x1", `f.yaml:15: warning: query "q1": parameters.x.default: default does not fit type int`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(dupA, "{description: the x, type: str}", tt.param, 1)
			s := New()
			s.LoadBytes("f.yaml", []byte(src))
			if len(s.Errors()) != 0 || len(s.Problems()) != 1 || !strings.Contains(s.Problems()[0].Error(), tt.want) {
				t.Fatalf("problems %v, want one warning %q", s.Problems(), tt.want)
			}
			if _, err := s.Get("MSSentinel", "Fam.q1"); err != nil {
				t.Fatalf("the query was dropped: %v", err)
			}
			found := false
			for _, p := range Validate("f.yaml", []byte(src)) {
				found = found || (p.Warning && p.BadDefault && strings.Contains(p.Error(), "default does not fit type"))
			}
			if !found {
				t.Errorf("validate: %v, want the default as a warning", Validate("f.yaml", []byte(src)))
			}
		})
	}
	// defaults that fit give no problem
	for _, ok := range []string{
		`{description: the x, type: int, default: 5}`, `{description: the x, type: float, default: "2.5e3"}`,
		`{description: the x, type: bool, default: "true"}`, `{description: the x, type: list, default: "a, b"}`,
		`{description: the x, type: datetime, default: -1}`, `{description: the x, type: dict, default: {a: 1}}`,
	} {
		s := New()
		s.LoadBytes("f.yaml", []byte(strings.Replace(dupA, "{description: the x, type: str}", ok, 1)))
		if len(s.Problems()) != 0 {
			t.Errorf("%s: %v", ok, s.Problems())
		}
	}
}

// TestNonTextFields: a list or mapping where text belongs is reported
// with the file, line, query and field (it was read as empty text).
func TestNonTextFields(t *testing.T) {
	tests := []struct {
		name, from, to, want string
		kept                 bool
	}{
		{"source description", "    description: one\n", "    description: [one, two]\n", `f.yaml:8: warning: query "q1": description: description must be text, not a list`, true},
		{"parameter description", "{description: the x, type: str}", "{description: {a: b}, type: str}", `f.yaml:12: warning: query "q1": parameters.x.description: description must be text, not a mapping`, true},
		{"parameter format", "{description: the x, type: str}", "{description: the x, type: str, format: [a]}", `f.yaml:12: query "q1": parameters.x.format: format must be text, not a list`, false},
		{"parameter type", "{description: the x, type: str}", "{description: the x, type: [str]}", `f.yaml:12: query "q1": parameters.x.type: type must be text, not a list`, false},
		{"uri", "      query: 'T", "      uri: [a]\n      query: 'T", `f.yaml:10: query "q1": args.uri: uri must be text, not a list`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.Replace(dupA, tt.from, tt.to, 1)
			s := New()
			s.LoadBytes("f.yaml", []byte(src))
			var msgs []string
			for _, p := range s.Problems() {
				msgs = append(msgs, p.Error())
			}
			if !strings.Contains(strings.Join(msgs, "\n"), tt.want) {
				t.Errorf("problems:\n%s\nwant %q", strings.Join(msgs, "\n"), tt.want)
			}
			if _, err := s.Get("MSSentinel", "Fam.q1"); (err == nil) != tt.kept {
				t.Errorf("query kept: %v, want %v", err == nil, tt.kept)
			}
			if probs := Validate("f.yaml", []byte(src)); len(probs) == 0 {
				t.Error("validate found nothing")
			}
		})
	}
}

// Every fault of one source is listed (the first does not hide the
// others), and a faulty parameter is not also reported as undeclared or
// typeless.
func TestEveryFaultOfASource(t *testing.T) {
	tests := []struct {
		name string
		repl []string // old, new, ... applied to dupA
		want []string // every problem, in order
	}{
		{"unknown type and undeclared placeholder",
			[]string{`"{x}"`, `"{x}{foo}"`, "type: str", "type: number"},
			[]string{
				`f.yaml:12: query "q1": parameters.x.type: unknown type "number" (want one of ` + strings.Join(render.Types, ", ") + `)`,
				`f.yaml:10: query "q1": args.query: template uses undeclared parameters "foo" (declared: "x")`,
			}},
		{"list type: no second 'has no type'",
			[]string{"type: str}", "type: [str]}"},
			[]string{`f.yaml:12: query "q1": parameters.x.type: type must be text, not a list`}},
		{"uri and undeclared placeholder",
			[]string{"      query: 'T | where x == \"{x}\"'", "      uri: [a]\n      query: 'T | where x == \"{x}{foo}\"'"},
			[]string{
				`f.yaml:10: query "q1": args.uri: uri must be text, not a list`,
				`f.yaml:11: query "q1": args.query: template uses undeclared parameters "foo" (declared: "x")`,
			}},
		{"parameter not a mapping is still declared",
			[]string{"x: {description: the x, type: str}", "x: [a]"},
			[]string{`f.yaml:12: query "q1": parameters.x: a parameter must be a mapping (description, type, default, aliases)`}},
		{"bad default, bad type, undeclared placeholder",
			[]string{`"{x}"`, `"{x}{y}{foo}"`, "{description: the x, type: str}", "{description: the x, type: int, default: abc}\n      y: {description: the y, type: number}"},
			[]string{
				`f.yaml:12: warning: query "q1": parameters.x.default: default does not fit type int: want an integer, got "abc"`,
				`f.yaml:13: query "q1": parameters.y.type: unknown type "number" (want one of ` + strings.Join(render.Types, ", ") + `)`,
				`f.yaml:10: query "q1": args.query: template uses undeclared parameters "foo" (declared: "x", "y")`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := dupA
			for i := 0; i+1 < len(tt.repl); i += 2 {
				if !strings.Contains(src, tt.repl[i]) {
					t.Fatalf("test setup: %q not in the file", tt.repl[i])
				}
				src = strings.Replace(src, tt.repl[i], tt.repl[i+1], 1)
			}
			qs, probs := ParseFile("f.yaml", []byte(src))
			got := make([]string, 0, len(probs))
			for _, p := range probs {
				got = append(got, p.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if len(qs) != 0 {
				t.Errorf("the faulty query was loaded")
			}
		})
	}
}
