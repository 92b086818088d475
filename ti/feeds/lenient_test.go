package feeds

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestMISPMalformedPartsAreSkipped: one part of the wrong kind (an Object
// that is a string, an item of the response that is no event) is skipped
// and counted; the rest of the file still loads.
func TestMISPMalformedPartsAreSkipped(t *testing.T) {
	cases := []struct {
		name, body string
		found      [][2]string
		skipped    int
		problem    string
	}{
		{"Object is a string",
			`{"response":[{"Event":{"id":"1","Attribute":[{"type":"domain","value":"bad.example.com"}],"Object":"notalist"}}]}`,
			[][2]string{{"dns", "bad.example.com"}}, 1, `event 1 Object (line 1): not read: want a list, got a string`},
		{"Attribute is an object",
			"{\"Event\":{\"id\":\"2\",\n\"Attribute\":{\"type\":\"domain\"},\"Object\":[{\"id\":\"7\",\"name\":\"file\",\"Attribute\":[{\"type\":\"md5\",\"value\":\"01c0b7c5bf605ed267b2be3d024eb90f\"}]}]}}",
			[][2]string{{"md5_hash", "01c0b7c5bf605ed267b2be3d024eb90f"}}, 1, `event 2 Attribute (line 2): not read: want a list, got an object`},
		{"an Object that is a number, another whose Attribute is text",
			`{"Event":{"id":"3","Attribute":[{"type":"ip-dst","value":"203.0.113.3"}],"Object":[5,{"id":"8","name":"x","Attribute":"no"}]}}`,
			[][2]string{{"ipv4", "203.0.113.3"}}, 2, `event 3 object 1 (line 1): not read: an Object must be a JSON object, not a number`},
		{"response items that are not events",
			"{\"response\":[{\"Event\":{\"id\":\"4\",\"Attribute\":[{\"type\":\"url\",\"value\":\"http://bad.example.com/x\"}]}},\nnull, \"str\", {\"Event\": [1]}]}",
			[][2]string{{"url", "http://bad.example.com/x"}}, 3, `item 3 (line 2): not read: want {"Event": ...}, got a string`},
		{"info and id of odd kinds",
			`[{"Event":{"id":{"x":1},"info":["a"],"Attribute":[{"type":"domain","value":"odd.example.com"},{"type":"ip-dst","value":[1]}]}}]`,
			[][2]string{{"dns", "odd.example.com"}}, 1, `event #1 attribute 2 (line 1): not read`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "e.json", c.body)
			p := newProv(t, map[string]string{"Files": "e.json"}, dir)
			st := p.SourceStats()
			if len(st) != 1 || st[0].Error != "" || st[0].Format != "misp" || st[0].Skipped != c.skipped {
				t.Fatalf("stats %+v", st)
			}
			if c.problem != "" && !strings.Contains(strings.Join(st[0].Problems, "\n"), c.problem) {
				t.Errorf("problems %q, want one with %q", st[0].Problems, c.problem)
			}
			for _, l := range c.found {
				if r := look(p, l[0], l[1]); !r.Found {
					t.Errorf("%s %s not found: %v", l[0], l[1], r.Details)
				}
			}
		})
	}
}

// TestWarninglistNonTextEntriesSkipped: an entry that is not text (a
// number, null, an object) is skipped and counted, naming its entry number
// and line; the other entries of the list are still used.
func TestWarninglistNonTextEntriesSkipped(t *testing.T) {
	cases := []struct {
		name, body string
		size       int
		skipped    int
		problems   []string
		wantErr    string
	}{
		{"all text", `{"name":"a","type":"cidr","list":["1.1.1.1","9.9.9.0/24"]}`, 2, 0, nil, ""},
		{"a number, null and bad cidrs",
			"{\"name\":\"b\",\"type\":\"cidr\",\"list\":[\"1.1.1.1/99\",\"zz\",\n 5, null, \"9.9.9.9\"]}", 1, 4,
			[]string{`entry 1: "1.1.1.1/99" is not an IP address or network`, `entry 3: want text, got a number (line 2)`, `entry 4: want text, got null (line 2)`}, ""},
		{"an object in a hostname list", `{"name":"c","type":"hostname","list":[{"x":1},"ok.example.com"]}`, 1, 1,
			[]string{`entry 1: want text, got an object (line 1)`}, ""},
		{"the text null is text", `{"name":"d","type":"string","list":["null",7]}`, 1, 1, nil, ""},
		{"list that is not a list", `{"name":"e","type":"cidr","list":"1.1.1.1"}`, 0, 0, nil, "list: want a list of text, got a string"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w, err := ParseWarninglist([]byte(c.body))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if w.Size() != c.size || w.Skipped != c.skipped {
				t.Errorf("size %d skipped %d, want %d and %d (problems %q)", w.Size(), w.Skipped, c.size, c.skipped, w.Problem)
			}
			for _, want := range c.problems {
				if !strings.Contains(strings.Join(w.Problem, "\n"), want) {
					t.Errorf("problems %q, want %q", w.Problem, want)
				}
			}
		})
	}
	// Through the provider: the good entry of such a list still marks benign.
	dir := t.TempDir()
	write(t, dir, "f.txt", "9.9.9.9\n")
	write(t, dir, "wl.json", `{"name":"Quad9","type":"cidr","list":["9.9.9.9", 5]}`)
	p := newProv(t, map[string]string{"Files": "f.txt", "Warninglists": "wl.json"}, dir)
	if r := look(p, "ipv4", "9.9.9.9"); !strings.Contains(fmt.Sprint(r.Details), "known benign: Quad9") {
		t.Errorf("warninglist with one number not used: %+v", r)
	}
}

// TestColumnsDoesNotTurnJSONIntoCSV: a shared Columns applies to the CSV
// and text files of Files; STIX and MISP files beside them keep their
// format.
func TestColumnsDoesNotTurnJSONIntoCSV(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.stix.json", `{"type":"bundle","objects":[{"type":"indicator","id":"indicator--1","pattern":"[ipv4-addr:value = '203.0.113.10']","pattern_type":"stix"}]}`)
	write(t, dir, "b.misp.json", `{"response":[{"Event":{"id":"1","Attribute":[{"type":"domain","value":"misp.example.com"}]}}]}`)
	write(t, dir, "c.csv", "ioc,kind\n203.0.113.11,ipv4\n")
	write(t, dir, "d.txt", "ioc,kind\n203.0.113.12,ipv4\n")
	p := newProv(t, map[string]string{"Files": dir, "Columns": "value=ioc"}, dir)
	want := map[string]string{"a.stix.json": "stix", "b.misp.json": "misp", "c.csv": "csv", "d.txt": "csv"}
	for _, st := range p.SourceStats() {
		name := filepath.Base(st.Source)
		if st.Error != "" || st.Format != want[name] || st.Total != 1 {
			t.Errorf("%s: format %q (want %q), total %d, error %q", name, st.Format, want[name], st.Total, st.Error)
		}
	}
	for _, l := range [][2]string{{"ipv4", "203.0.113.10"}, {"dns", "misp.example.com"}, {"ipv4", "203.0.113.11"}, {"ipv4", "203.0.113.12"}} {
		if r := look(p, l[0], l[1]); !r.Found {
			t.Errorf("%s not found: %v", l[1], r.Details)
		}
	}
}
