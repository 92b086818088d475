// Package querystore owns MSTICPy query files: reading and validating the
// YAML (metadata, defaults, sources, parameters, macros), merging file
// defaults into each query, families (dotted names nest), the data
// environments each query serves (with MSTICPy's aliases), duplicates
// across files, and the query paths (folders, config, plugin folders and
// query packs embedded in the binary).
package querystore

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/msticgo/msticgo/data/dataenv"
	"github.com/msticgo/msticgo/data/render"
	"github.com/msticgo/msticgo/registry"
	"go.yaml.in/yaml/v3"

	"github.com/msticgo/msticgo/internal/yamlpos"
)

// Query is one loaded query (one family; a query in several families
// appears once per family).
type Query struct {
	Family      string // possibly dotted
	Name        string
	Description string
	Template    string // after macro expansion
	URI         string
	Params      []render.Param // merged: defaults first, then the query's own
	Metadata    map[string]any // merged metadata
	// Environments are the canonical environment names of the file.
	Environments []string
	File         string
	Line         int
	Prepared     *render.Prepared
}

// FullName is Family.Name.
func (q *Query) FullName() string { return q.Family + "." + q.Name }

// Param returns a parameter by name or alias.
func (q *Query) Param(name string) (render.Param, bool) { return q.Prepared.Param(name) }

// ServesEnvironment reports whether the query is for env (canonical name
// or alias; case-insensitive).
func (q *Query) ServesEnvironment(env string) bool {
	c := dataenv.Canonical(env)
	for _, e := range q.Environments {
		if strings.EqualFold(e, c) {
			return true
		}
	}
	return false
}

// Problem is one fault in a query file.
type Problem struct {
	File    string
	Line    int
	Query   string // source name, "" for file-level problems
	Field   string // e.g. "metadata.data_families", "parameters.host.type"
	Message string
	Warning bool // the query was still loaded
	// Unusable marks a warning that query validate counts as an error:
	// the file is wrong (a list where text belongs) though the query
	// still runs.
	Unusable bool
	// BadDefault marks a default its parameter's type cannot read: shown
	// when the file loads (the query fails if run without a value), and
	// always a warning, never an error, since MSTICPy accepts the file
	// (its own schema sample has such a default).
	BadDefault bool
	// Kept is set on a duplicate warning: the file of the definition that
	// was kept (the first loaded).
	Kept string
}

func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		b.WriteString(":" + strconv.Itoa(p.Line))
	}
	b.WriteString(": ")
	if p.Warning {
		b.WriteString("warning: ")
	}
	if p.Query != "" {
		b.WriteString("query " + strconv.Quote(p.Query) + ": ")
	}
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

var macroRE = regexp.MustCompile(`\$<([^>$]*)>\$`)
var multiNL = regexp.MustCompile(`\n{2,}`)

// ParseFile reads one query file. It returns the queries that passed (one
// per family) and every problem found. A file-level fault (YAML syntax,
// no metadata, sources, data_environments or data_families) rejects the
// whole file; a faulty source rejects only that source.
func ParseFile(name string, data []byte) ([]*Query, []Problem) {
	var probs []Problem
	fileErr := func(line int, field, msg string) ([]*Query, []Problem) {
		return nil, append(probs, Problem{File: name, Line: line, Field: field, Message: msg})
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return fileErr(0, "", "file is empty")
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := yamlpos.Locate(data, err)
		return fileErr(line, "", "invalid YAML: "+msg)
	}
	if len(doc.Content) == 0 {
		return fileErr(0, "", "file is empty")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fileErr(root.Line, "", "top level must be a mapping with metadata and sources")
	}
	probs = duplicateKeys(name, root, nil, probs)
	probs = unknownKeys(name, "", "", root, fileKeys, probs)
	meta := mapGet(root, "metadata")
	sources := mapGet(root, "sources")
	defaults := mapGet(root, "defaults")
	if sources == nil || sources.Kind != yaml.MappingNode || len(sources.Content) == 0 {
		return fileErr(root.Line, "sources", "file has no sources defined")
	}
	if meta == nil || meta.Kind != yaml.MappingNode || len(meta.Content) == 0 {
		return fileErr(root.Line, "metadata", "file has no metadata defined")
	}
	var fileMeta map[string]any
	if err := meta.Decode(&fileMeta); err != nil {
		return fileErr(meta.Line, "metadata", err.Error())
	}
	envNode := mapGet(meta, "data_environments")
	envs := stringList(fileMeta["data_environments"])
	if len(envs) == 0 {
		return fileErr(lineOf(envNode, meta), "metadata.data_environments", "file has no data_environments defined")
	}
	if len(stringList(fileMeta["data_families"])) == 0 {
		return fileErr(lineOf(mapGet(meta, "data_families"), meta), "metadata.data_families", "file has no data families defined")
	}
	var canon []string
	for _, e := range envs {
		// MDATP and MDE name one environment: listed once
		if c := dataenv.FromMetadata(e); !slices.Contains(canon, c) {
			canon = append(canon, c)
		}
	}
	var defMeta map[string]any
	var defParams []render.Param
	if defaults != nil && defaults.Kind == yaml.MappingNode {
		if n := mapGet(defaults, "metadata"); n != nil && n.Kind == yaml.MappingNode {
			if err := n.Decode(&defMeta); err != nil {
				probs = append(probs, Problem{File: name, Line: n.Line, Field: "defaults.metadata", Message: err.Error()})
			}
		}
		if n := mapGet(defaults, "parameters"); n != nil {
			ps, pp := readParams(name, "", "defaults.parameters", n, nil)
			defParams = ps
			probs = append(probs, pp...)
			for _, p := range pp {
				if !p.Warning {
					return nil, probs
				}
			}
		}
	}
	var out []*Query
	last := map[string]int{} // a source written twice: the later one is used
	for i := 0; i+1 < len(sources.Content); i += 2 {
		last[sources.Content[i].Value] = i
	}
	for i := 0; i+1 < len(sources.Content); i += 2 {
		if last[sources.Content[i].Value] != i {
			continue
		}
		kn := deref(sources.Content[i])
		qname := ""
		if kn != nil && kn.Kind == yaml.ScalarNode && kn.Tag != "!!null" {
			qname = strings.TrimSpace(kn.Value)
		}
		if qname == "" {
			probs = append(probs, Problem{File: name, Line: sources.Content[i].Line, Field: "sources", Message: "a source needs a name (a non-empty text key under sources)"})
			continue
		}
		src := deref(sources.Content[i+1])
		qs, pp := readSource(name, qname, sources.Content[i].Line, src, fileMeta, defMeta, defParams, canon)
		probs = append(probs, pp...)
		out = append(out, qs...)
	}
	return out, probs
}

func readSource(file, qname string, line int, src *yaml.Node, fileMeta, defMeta map[string]any, defParams []render.Param, envs []string) ([]*Query, []Problem) {
	var probs []Problem
	bad := func(l int, field, msg string) {
		probs = append(probs, Problem{File: file, Line: l, Query: qname, Field: field, Message: msg})
	}
	if src.Kind != yaml.MappingNode {
		bad(src.Line, "", "a source must be a mapping with description and args")
		return nil, probs
	}
	probs = unknownKeys(file, qname, "", src, sourceKeys, probs)
	q := &Query{Name: qname, File: file, Line: line, Environments: envs}
	if n := deref(mapGet(src, "description")); n != nil && n.Kind == yaml.ScalarNode {
		q.Description = n.Value
	} else if n != nil {
		probs = append(probs, Problem{File: file, Line: n.Line, Query: qname, Field: "description", Message: "description must be text, not " + nodeKind(n), Warning: true, Unusable: true})
	}
	args := mapGet(src, "args")
	if args == nil || args.Kind != yaml.MappingNode {
		bad(src.Line, "args", "source has no args element (args.query is required)")
		return nil, probs
	}
	qn := mapGet(args, "query")
	if qn == nil || qn.Kind != yaml.ScalarNode || qn.Tag == "!!null" || strings.TrimSpace(qn.Value) == "" {
		bad(lineOf(qn, args), "args.query", `source does not have a "query" in its args element`)
		return nil, probs
	}
	q.Template = qn.Value
	// A fault below rejects the query, but the checks go on, so that
	// query validate lists every problem of the source, not the first.
	if n := deref(mapGet(args, "uri")); n != nil && n.Kind == yaml.ScalarNode {
		q.URI = n.Value
	} else if n != nil {
		bad(n.Line, "args.uri", "uri must be text, not "+nodeKind(n))
	}
	// metadata: file ← defaults ← source
	var srcMeta map[string]any
	if n := mapGet(src, "metadata"); n != nil && n.Kind == yaml.MappingNode {
		if err := n.Decode(&srcMeta); err != nil {
			bad(n.Line, "metadata", err.Error())
			srcMeta = nil
		}
	}
	q.Metadata = deepMerge(deepMerge(cloneMap(fileMeta), defMeta), srcMeta)
	// parameters: defaults ← source
	var own []render.Param
	var written []string // every parameter key of the source, faulty ones too
	if n := mapGet(src, "parameters"); n != nil {
		ps, pp := readParams(file, qname, "parameters", n, defParams)
		probs = append(probs, pp...)
		own = ps
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				written = append(written, n.Content[i].Value)
			}
		}
	}
	q.Params = mergeParams(defParams, own)
	// macros
	if macros := mapGet(src, "query_macros"); macros != nil && macroRE.MatchString(q.Template) {
		var m map[string]struct {
			Value any `yaml:"value"`
		}
		if err := macros.Decode(&m); err != nil {
			bad(macros.Line, "query_macros", err.Error())
			m = nil // the macros expand to "" and the template is still checked
		}
		q.Template = macroRE.ReplaceAllStringFunc(q.Template, func(s string) string {
			k := macroRE.FindStringSubmatch(s)[1]
			if v, ok := m[k]; ok && v.Value != nil {
				return fmt.Sprint(v.Value)
			}
			return ""
		})
		q.Template = multiNL.ReplaceAllString(q.Template, "\n")
	} else if macroRE.MatchString(q.Template) {
		q.Template = macroRE.ReplaceAllString(q.Template, "")
		q.Template = multiNL.ReplaceAllString(q.Template, "\n")
	}
	reported := map[string]bool{} // fields and parameters already faulted
	for _, p := range probs {
		if !p.Warning {
			reported[p.Field] = true
		}
	}
	for _, p := range q.Params {
		if f := "parameters." + p.Name; p.Type == "" && !reported[f] && !reported[f+".type"] {
			bad(line, f+".type", "parameter has no type (want one of "+strings.Join(render.Types, ", ")+")")
		}
	}
	// A parameter rejected above (not a mapping, a bad name) is still
	// declared: the template is checked against every name written, so a
	// faulty parameter is reported once, not also as undeclared.
	check := q.Params
	for _, w := range written {
		if !slices.ContainsFunc(check, func(p render.Param) bool { return p.Name == w }) {
			check = append(slices.Clip(check), render.Param{Name: w})
		}
	}
	prep, pp := render.Prepare(q.Template, check)
	for _, p := range pp {
		l := qn.Line
		if strings.HasPrefix(p.Field, "parameters.") {
			l = line
		}
		bad(l, p.Field, p.Message)
	}
	for _, p := range probs {
		if !p.Warning { // warnings (type: string, a null default) keep the query
			return nil, probs
		}
	}
	q.Prepared = prep
	fams := stringList(q.Metadata["data_families"])
	if len(fams) == 0 {
		bad(line, "metadata.data_families", "query has no data families")
		return nil, probs
	}
	var out []*Query
	for _, f := range fams {
		cp := *q
		cp.Family = strings.TrimSpace(f)
		if cp.Family == "" {
			continue
		}
		out = append(out, &cp)
	}
	return out, probs
}

// readParams reads a parameters mapping. base holds inherited
// definitions (from defaults) that a query may override property by
// property, so a type may be inherited.
func readParams(file, qname, field string, n *yaml.Node, base []render.Param) ([]render.Param, []Problem) {
	var probs []Problem
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, []Problem{{File: file, Line: n.Line, Query: qname, Field: field, Message: "parameters must be a mapping"}}
	}
	inherited := map[string]render.Param{}
	for _, p := range base {
		inherited[p.Name] = p
	}
	var out []render.Param
	for i := 0; i+1 < len(n.Content); i += 2 {
		pname := n.Content[i].Value
		pn := deref(n.Content[i+1])
		pf := field + "." + pname
		if pname == "" || !validIdent(pname) {
			probs = append(probs, Problem{File: file, Line: n.Content[i].Line, Query: qname, Field: pf, Message: "parameter name must be a Python identifier (letters, digits, _)"})
			continue
		}
		p, had := inherited[pname]
		if !had {
			p = render.Param{Name: pname}
		}
		if pn.Kind == yaml.ScalarNode && pn.Tag == "!!null" {
			out = append(out, p)
			continue
		}
		if pn.Kind != yaml.MappingNode {
			probs = append(probs, Problem{File: file, Line: pn.Line, Query: qname, Field: pf, Message: "a parameter must be a mapping (description, type, default, aliases)"})
			continue
		}
		defLine := 0
		for j := 0; j+1 < len(pn.Content); j += 2 {
			k, v := pn.Content[j].Value, deref(pn.Content[j+1])
			if (k == "description" || k == "type" || k == "format") && v.Kind != yaml.ScalarNode {
				// a description only informs (a warning); a type or format
				// that cannot be read would change the query (an error)
				probs = append(probs, Problem{File: file, Line: v.Line, Query: qname, Field: pf + "." + k, Message: fmt.Sprintf("%s must be text, not %s", k, nodeKind(v)), Warning: k == "description", Unusable: k == "description"})
				continue
			}
			switch k {
			case "description":
				p.Description = v.Value
			case "type":
				t := strings.TrimSpace(v.Value)
				switch {
				case t == "string":
					probs = append(probs, Problem{File: file, Line: v.Line, Query: qname, Field: pf + ".type", Message: `type "string" is not a MSTICPy type; read as "str"`, Warning: true})
					t = "str"
				case t == "":
				case !render.KnownType(t):
					probs = append(probs, Problem{File: file, Line: v.Line, Query: qname, Field: pf + ".type", Message: fmt.Sprintf("unknown type %q (want one of %s)", t, strings.Join(render.Types, ", "))})
				}
				p.Type = t
			case "default":
				var d any
				if err := v.Decode(&d); err != nil {
					probs = append(probs, Problem{File: file, Line: v.Line, Query: qname, Field: pf + ".default", Message: err.Error()})
					continue
				}
				p.Default, p.HasDefault = d, true
				defLine = v.Line
				if d == nil {
					probs = append(probs, Problem{File: file, Line: v.Line, Query: qname, Field: pf + ".default", Message: "default is empty (null): the parameter is required", Warning: true})
				}
			case "aliases":
				var a any
				if err := v.Decode(&a); err != nil || !aliasShape(a) {
					probs = append(probs, Problem{File: file, Line: v.Line, Query: qname, Field: pf + ".aliases", Message: "aliases must be one name or a list of names"})
					continue
				}
				p.Aliases = stringList(a)
			case "format":
				p.Format = v.Value
			default:
				// MSTICPy ignores it too, but a typo here (defualt:) silently
				// changes the query: say so, and go on
				probs = append(probs, unknownKey(file, qname, pf+".", pn.Content[j], paramKeys))
			}
		}
		if p.HasDefault && p.Default != nil && render.KnownType(p.Type) {
			// MSTICPy finds out only when the query runs without the
			// parameter; the query is kept (a value given then is fine)
			if _, err := render.Convert(p.Type, p.Default, time.Now()); err != nil {
				l := defLine
				if l == 0 {
					l = pn.Line
				}
				probs = append(probs, Problem{File: file, Line: l, Query: qname, Field: pf + ".default", Message: fmt.Sprintf("default does not fit type %s: %v", p.Type, err), Warning: true, BadDefault: true})
			}
		}
		out = append(out, p)
	}
	return out, probs
}

// The keys MSTICPy's query files use, per level (a few more than its JSON
// schema allows, as its own files have them).
var (
	fileKeys   = []string{"metadata", "defaults", "sources"}
	sourceKeys = []string{"description", "metadata", "args", "parameters", "query_macros"}
	paramKeys  = []string{"description", "type", "default", "aliases", "format"}
)

// unknownKeys adds a warning for each key of mapping n that is not one of
// keys (field prefixes the key in the problem).
func unknownKeys(file, qname, field string, n *yaml.Node, keys []string, probs []Problem) []Problem {
	if n == nil || n.Kind != yaml.MappingNode {
		return probs
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode || k.Value == "<<" || slices.Contains(keys, k.Value) {
			continue
		}
		probs = append(probs, unknownKey(file, qname, field, k, keys))
	}
	return probs
}

// unknownKey is the warning for key k, with a "did you mean" when one of
// keys is close: MSTICPy ignores such a key silently, but a typo
// (paramters:, defualt:) changes what the query does.
func unknownKey(file, qname, field string, k *yaml.Node, keys []string) Problem {
	msg := fmt.Sprintf("unknown key %q ignored (keys: %s)", k.Value, strings.Join(keys, ", "))
	if sug := registry.Suggest(k.Value, keys); sug != "" {
		msg = fmt.Sprintf("unknown key %q ignored: did you mean %s?", k.Value, sug)
	}
	return Problem{File: file, Line: k.Line, Query: qname, Field: field + k.Value, Message: msg, Warning: true}
}

// aliasShape reports whether an aliases value is a name, a list of
// names (scalars) or empty.
func aliasShape(a any) bool {
	switch x := a.(type) {
	case nil, string:
		return true
	case []any:
		for _, it := range x {
			switch it.(type) {
			case []any, map[string]any:
				return false
			}
		}
		return true
	}
	return false
}

func validIdent(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || (i > 0 && '0' <= c && c <= '9')) {
			return false
		}
	}
	return s != ""
}

// mergeParams puts defaults first (overridden in place by the query's own
// definitions), then the query's new parameters, each in file order.
func mergeParams(defs, own []render.Param) []render.Param {
	out := make([]render.Param, 0, len(defs)+len(own))
	idx := map[string]int{}
	for _, p := range defs {
		idx[p.Name] = len(out)
		out = append(out, p)
	}
	for _, p := range own {
		if i, ok := idx[p.Name]; ok {
			out[i] = p
			continue
		}
		idx[p.Name] = len(out)
		out = append(out, p)
	}
	return out
}

func deepMerge(dst, src map[string]any) map[string]any {
	if len(src) == 0 {
		return dst
	}
	if dst == nil {
		dst = map[string]any{}
	}
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				dst[k] = deepMerge(cloneMap(dm), sm)
				continue
			}
		}
		dst[k] = v
	}
	return dst
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// mapGet returns the value of key in a mapping; of a key written twice,
// the later value (as MSTICPy's YAML reader keeps it).
func mapGet(n *yaml.Node, key string) *yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := len(n.Content) - 2; i >= 0; i -= 2 {
		if n.Content[i].Value == key {
			return deref(n.Content[i+1])
		}
	}
	return nil
}

// duplicateKeys adds a warning for every key written twice in one mapping
// under n (the YAML spec forbids it; MSTICPy's reader keeps the later
// value, and so does msticgo). A duplicate inside sources.<name> names
// that query. Aliases are not followed. It runs on every file loaded, so
// it allocates only when it finds something.
func duplicateKeys(file string, n *yaml.Node, path []string, probs []Problem) []Problem {
	if n == nil || len(path) > 50 {
		return probs
	}
	switch n.Kind {
	case yaml.MappingNode:
		c := n.Content
		var seen map[string]int // only for big mappings; small ones are scanned
		if len(c) > 64 {
			seen = make(map[string]int, len(c)/2)
		}
		for i := 0; i+1 < len(c); i += 2 {
			k := c[i]
			if k.Kind == yaml.ScalarNode {
				first := -1
				if seen != nil {
					if l, ok := seen[k.Value]; ok {
						first = l
					} else {
						seen[k.Value] = k.Line
					}
				} else {
					for j := 0; j < i; j += 2 {
						if c[j].Kind == yaml.ScalarNode && c[j].Value == k.Value {
							first = c[j].Line
							break
						}
					}
				}
				if first >= 0 {
					probs = append(probs, dupProblem(file, append(path, k.Value), k.Line, first))
				}
			}
			if v := c[i+1]; v.Kind == yaml.MappingNode || v.Kind == yaml.SequenceNode {
				// path is only read below this call, so its backing
				// array can be shared
				probs = duplicateKeys(file, v, append(path, k.Value), probs)
			}
		}
	case yaml.SequenceNode:
		for _, it := range n.Content {
			if it.Kind == yaml.MappingNode || it.Kind == yaml.SequenceNode {
				probs = duplicateKeys(file, it, path, probs)
			}
		}
	}
	return probs
}

func dupProblem(file string, kp []string, line, first int) Problem {
	q, field := "", strings.Join(kp, ".")
	if len(kp) >= 2 && kp[0] == "sources" {
		q, field = kp[1], strings.Join(kp[2:], ".")
	}
	return Problem{File: file, Line: line, Query: q, Field: field, Warning: true,
		Message: fmt.Sprintf("key written twice (first at line %d); the later one is used, as MSTICPy does", first)}
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func lineOf(n, parent *yaml.Node) int {
	if n != nil {
		return n.Line
	}
	if parent != nil {
		return parent.Line
	}
	return 0
}

func stringList(v any) []string {
	switch x := v.(type) {
	case string:
		if strings.TrimSpace(x) == "" {
			return nil
		}
		return []string{x}
	case []any:
		var out []string
		for _, it := range x {
			if it == nil {
				continue
			}
			out = append(out, fmt.Sprint(it))
		}
		return out
	}
	return nil
}

func sortedKeys(m map[string]*Query) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// nodeKind names the shape of a YAML value for messages.
func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	return "a " + strings.TrimPrefix(n.Tag, "!!")
}
