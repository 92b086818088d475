package feeds

import (
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
			`[{"Event":{"id":{"x":1},"info":["a"],"Attribute":[{"type":"domain","value":"odd.example.com"}]}}]`,
			[][2]string{{"dns", "odd.example.com"}}, 0, ""},
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
