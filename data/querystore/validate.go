package querystore

import (
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// ValidateFile loads a file and also applies the stricter checks of
// MSTICPy's JSON schema for query files (.schemas/queries.json): integer
// version; descriptions of 5 to 1024 characters; parameter type one of
// str, datetime, int, float, list (bool and dict are msticgo additions
// and allowed); a non-null default; only known keys. Warnings of the
// loader become errors here.
func ValidateFile(p string) []Problem { return checkFile(p, Validate) }

// Validate is ValidateFile for bytes.
func Validate(name string, data []byte) []Problem {
	_, probs := ParseFile(name, data)
	for i := range probs {
		probs[i].Warning = probs[i].BadDefault
	}
	return append(probs, Schema(name, data)...)
}

// SchemaFile is Schema for a file on disk (a file that cannot be read is
// one problem).
func SchemaFile(p string) []Problem { return checkFile(p, Schema) }

// checkFile runs check on the content of file p; a file that cannot be
// read is one problem.
func checkFile(p string, check func(name string, data []byte) []Problem) []Problem {
	data, err := os.ReadFile(p)
	if err != nil {
		return []Problem{{File: p, Message: err.Error()}}
	}
	return check(p, data)
}

// Schema checks a query file against the rules of MSTICPy's JSON schema
// for query files only (not the loader's): integer version, descriptions
// of 5 to 1024 characters, a description and type for every parameter,
// no type string, no null default, only the schema's keys. Every problem
// is an error.
func Schema(name string, data []byte) []Problem {
	var probs []Problem
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return probs
	}
	root := doc.Content[0]
	add := func(n *yaml.Node, q, field, msg string) {
		l := 0
		if n != nil {
			l = n.Line
		}
		probs = append(probs, Problem{File: name, Line: l, Query: q, Field: field, Message: msg})
	}
	desc := func(n *yaml.Node, q, field string) {
		if n == nil {
			return
		}
		if n.Kind != yaml.ScalarNode {
			add(n, q, field, "description must be text, not "+nodeKind(n))
			return
		}
		if c := utf8.RuneCountInString(n.Value); c < 5 || c > 1024 {
			add(n, q, field, fmt.Sprintf("description must be 5 to 1024 characters long (is %d)", c))
		}
	}
	keys := func(n *yaml.Node, q, field string, allowed ...string) {
		if n == nil || n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			ok := false
			for _, a := range allowed {
				ok = ok || a == k
			}
			if !ok {
				add(n.Content[i], q, field+"."+k, fmt.Sprintf("unknown key (allowed: %s)", strings.Join(allowed, ", ")))
			}
		}
	}
	params := func(n *yaml.Node, q, field string) {
		if n == nil || n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			pn := n.Content[i+1]
			pf := field + "." + n.Content[i].Value
			keys(pn, q, pf, "description", "type", "default", "aliases", "format")
			if pn.Kind != yaml.MappingNode {
				continue
			}
			d := mapGet(pn, "description")
			if d == nil {
				add(pn, q, pf+".description", "a parameter needs a description")
			}
			desc(d, q, pf+".description")
			t := mapGet(pn, "type")
			if t == nil {
				add(pn, q, pf+".type", "a parameter needs a type")
			} else {
				switch t.Value {
				case "str", "datetime", "int", "float", "list", "bool", "dict":
				default:
					if t.Value == "string" { // the loader only warned
						add(t, q, pf+".type", `type "string" is not allowed (write "str")`)
					}
				}
			}
			if dn := mapGet(pn, "default"); dn != nil && dn.Tag == "!!null" {
				add(dn, q, pf+".default", "default must not be empty (remove it to make the parameter required)")
			}
		}
	}
	meta := mapGet(root, "metadata")
	if meta != nil {
		keys(meta, "", "metadata", "version", "description", "data_environments", "data_families", "tags", "aliases", "cluster", "clusters", "cluster_groups", "database")
		if v := mapGet(meta, "version"); v == nil {
			add(meta, "", "metadata.version", "version is required")
		} else if v.Tag != "!!int" {
			add(v, "", "metadata.version", fmt.Sprintf("version must be an integer, not %q", v.Value))
		}
		if d := mapGet(meta, "description"); d == nil {
			add(meta, "", "metadata.description", "description is required")
		} else {
			desc(d, "", "metadata.description")
		}
	}
	if def := mapGet(root, "defaults"); def != nil {
		params(mapGet(def, "parameters"), "", "defaults.parameters")
	}
	if src := mapGet(root, "sources"); src != nil && src.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(src.Content); i += 2 {
			q := src.Content[i].Value
			sn := src.Content[i+1]
			keys(sn, q, "", "description", "metadata", "parameters", "args", "query_macros")
			if d := mapGet(sn, "description"); d == nil {
				add(sn, q, "description", "description is required")
			} else {
				desc(d, q, "description")
			}
			params(mapGet(sn, "parameters"), q, "parameters")
		}
	}
	return dedupe(probs)
}

func dedupe(ps []Problem) []Problem {
	seen := map[string]bool{}
	var out []Problem
	for _, p := range ps {
		k := p.Error()
		if !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	return out
}
