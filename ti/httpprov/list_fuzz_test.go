package httpprov

import (
	"net/netip"
	"testing"
)

var listKeyModes = []string{"ip", "lower", "exact"}

// FuzzParseList: list bodies are downloaded from the internet (the Tor
// exit-node list, for one). In both formats and every key mode, any body
// gives entries that a lookup of their own value finds, never a panic; in
// ip mode every key is an address.
func FuzzParseList(f *testing.F) {
	tor := "ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E\nPublished 2026-12-01 00:00:00\nLastStatus 2026-12-02 01:00:00\nExitAddress 203.0.113.1 2026-12-02 01:02:03\n" +
		"ExitNode AAA\nExitAddress 2001:0db8::0001 x\nExitAddress ::ffff:198.51.100.7 y\n"
	seeds := []struct {
		body    string
		stanzas bool
		mode    uint8
	}{
		{tor, true, 0},
		{"ExitAddress 203.0.113.9\nExitNode\nExitNode B\nPublished\n", true, 0}, // emit before start, short lines
		{"# comment\n203.0.113.1\n  2001:DB8::1  extra\nnot-an-ip\n\n", false, 0},
		{"Example.COM\n\xef\xbb\xbfBOM.example\n\xff\xfe\n", false, 1},
		{"Host A\nHost\tB c\n", true, 2},
		{"a\r\nb\rc\x00d\n", false, 2},
	}
	for _, s := range seeds {
		f.Add([]byte(s.body), s.stanzas, s.mode)
	}
	f.Fuzz(func(t *testing.T, body []byte, stanzas bool, mode uint8) {
		src := ListSource{Format: "lines"}
		if stanzas {
			src = ListSource{Format: "stanzas", Start: "ExitNode", Emit: "ExitAddress"}
		}
		keyMode := listKeyModes[int(mode)%len(listKeyModes)]
		entries := parseList(body, src, keyMode)
		for key, e := range entries {
			if e == nil {
				t.Fatalf("key %q has a nil entry", key)
			}
			field := "value"
			if stanzas {
				field = src.Emit
			}
			v, ok := e[field].(string)
			if !ok {
				t.Fatalf("key %q: entry %v has no %s", key, e, field)
			}
			if got := normaliseKey(keyMode, v); got != key {
				t.Fatalf("%s: looking up %q finds key %q, not %q", keyMode, v, got, key)
			}
			if keyMode == "ip" {
				if _, err := netip.ParseAddr(key); err != nil {
					t.Fatalf("ip mode kept %q: %v", key, err)
				}
			}
		}
	})
}
