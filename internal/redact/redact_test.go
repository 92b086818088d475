package redact

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestReplace(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
		in      string
		want    string
	}{
		// the second user review's cases (B1): ordinary data keeps its value
		{"short key leaves port 443", []string{"443"}, "SRV-WEB01 91.234.254.144 443 12", "SRV-WEB01 91.234.254.144 443 12"},
		{"short key in a URL is kept too", []string{"443"}, "https://x.example:443/?key=443", "https://x.example:443/?key=443"},
		{"key inside a host name", []string{"WS-E"}, "WS-ELM", "WS-ELM"},
		{"key as a whole host name", []string{"WS-E"}, "host WS-E, WS-ELM", "host ***, WS-ELM"},
		{"one-letter user", []string{"u"}, "SnowHTML: unexpected response .../cmdb_ci_computer", "SnowHTML: unexpected response .../cmdb_ci_computer"},
		{"user name in an e-mail", []string{"jdoe"}, `"user_name":"jdoe","email":"jdoe@corp.example.com","sys_created_by":"jdoe2"`,
			`"user_name":"***","email":"***@corp.example.com","sys_created_by":"jdoe2"`},
		{"user name inside a longer word", []string{"jdoe"}, "jdoexyz xjdoe", "jdoexyz xjdoe"},
		// where secrets leak: every form is still redacted
		{"URL query", []string{"FAKE-VT-KEY-7781"}, "GET https://api.example/v3/x?apikey=FAKE-VT-KEY-7781&q=1", "GET https://api.example/v3/x?apikey=***&q=1"},
		{"URL path", []string{"FAKE-SECRET-9Q7Z"}, "http://127.0.0.1/nokey/FAKE-SECRET-9Q7Z/evil.example.com", "http://127.0.0.1/nokey/***/evil.example.com"},
		{"header", []string{"FAKE-VT-KEY-7781"}, "x-apikey: FAKE-VT-KEY-7781\r\n", "x-apikey: ***\r\n"},
		{"error text", []string{"LiteralSecret-9f8e7d"}, "lookup failed: key LiteralSecret-9f8e7d refused", "lookup failed: key *** refused"},
		{"quoted", []string{"sekret-abc-123"}, `panic: "sekret-abc-123"`, `panic: "***"`},
		{"whole text", []string{"snowpass-FAKE-4242"}, "snowpass-FAKE-4242", "***"},
		{"CSV", []string{"EnvSecret-1a2b3c"}, "a,EnvSecret-1a2b3c,b\n", "a,***,b\n"},
		{"digits", []string{"0012345"}, "ApiID 0012345 and 00123456 and 10012345", "ApiID *** and 00123456 and 10012345"},
		{"after a URL escape", []string{"FAKEKEY1"}, "q%3DFAKEKEY1%26x", "q%3D***%26x"},
		{"after a JSON escape", []string{"FAKEKEY1"}, `"line\nFAKEKEY1\tnext \u0022FAKEKEY1"`, `"line\n***\tnext \u0022***"`},
		{"secret with edge punctuation", []string{"=abc="}, "x=abc=y", "x***y"},
		{"longest first", []string{"abcd", "abcd-efgh"}, "abcd-efgh abcd", "*** ***"},
		{"repeated", []string{"KEY1"}, "KEY1KEY1 KEY1 (KEY1)", "KEY1KEY1 *** (***)"},
		{"too short is never redacted", []string{"abc"}, "abc", "abc"},
		{"white space trimmed", []string{"  KEY1 "}, "x KEY1 y", "x *** y"},
		{"non-ASCII letters are letters", []string{"KEY1"}, "éKEY1 KEY1é", "éKEY1 KEY1é"},
		{"no secrets", nil, "text", "text"},
		// a service may change the case of what it echoes
		{"lower-cased echo", []string{"S3cr/t+Key=Value!"}, "bad key s3cr/t+key=value! x", "bad key *** x"},
		{"upper-cased echo", []string{"Key-9f8e7d"}, "KEY-9F8E7D", "***"},
		{"lower-case URL escape", []string{"S3cr%2Ft%2BKey"}, "q=s3cr%2ft%2bkey&x", "q=***&x"},
		{"case does not make a token", []string{"Key-9f8e7d"}, "key-9f8e7dx key-9f8e7d", "key-9f8e7dx ***"},
		// a word-like secret matches as written only: the setting name
		// AuthKey stays readable with a literal key "authkey"
		{"word-like secret: as written", []string{"authkey"}, "Args.AuthKey authkey AUTHKEY", "Args.AuthKey *** AUTHKEY"},
		{"short secret: as written", []string{"WS-E"}, "ws-elm ws-e WS-E", "ws-elm ws-e ***"},
		// two word-like secrets differing in case are both kept (code review)
		{"two cases of a word-like secret", []string{"tokenvalue", "TOKENVALUE"}, "a tokenvalue b TOKENVALUE", "a *** b ***"},
		{"non-ASCII letters match as written", []string{"Schlüssel-1"}, "schlÜssel-1 schlüssel-1", "schlÜssel-1 ***"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := New(tt.secrets...).Replace(tt.in); got != tt.want {
				t.Errorf("Replace(%q) with %q = %q, want %q", tt.in, tt.secrets, got, tt.want)
			}
		})
	}
}

// TestEncodedFormsRedacted: a secret written by the encoders msticgo
// uses (JSON, %q, URL query) is redacted wherever the plain one would be.
func TestEncodedFormsRedacted(t *testing.T) {
	secret := "Key-9f8e7d"
	r := New(secret)
	for _, prefix := range []string{"", " ", "\n", "\t", "=", "/", "\"", "x\n", "a b\t"} {
		for _, text := range []string{
			func() string { b, _ := json.Marshal(map[string]string{"k": prefix + secret}); return string(b) }(),
			fmt.Sprintf("%q", prefix+secret),
			"https://x.example/?q=" + url.QueryEscape(prefix+secret),
		} {
			if got := r.Replace(text); strings.Contains(got, secret) {
				t.Errorf("prefix %q: %q shows the secret", prefix, got)
			}
		}
	}
}

func TestNilReplacer(t *testing.T) {
	var r *Replacer
	if r.Replace("x") != "x" || r.Contains("x") || r.Secrets() != nil {
		t.Error("nil Replacer changed text")
	}
	if New("ab", "") != nil {
		t.Error("New of short values is not nil")
	}
	if !New("KEY1").Contains("a KEY1") || New("KEY1").Contains("aKEY1") {
		t.Error("Contains")
	}
}

func TestMaskURLPasswords(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		pws      []string
	}{
		{"http://svcuser:URLPASSWORD999@127.0.0.1:18080/api", "http://svcuser:***@127.0.0.1:18080/api", []string{"URLPASSWORD999"}},
		{"postgres://u:p%40ss@h:5432/db?x=a@b", "postgres://u:***@h:5432/db?x=a@b", []string{"p%40ss"}},
		{"https://u:p@ss@h", "https://u:***@h", []string{"p@ss"}},
		{"a http://x:1@h b https://y:22@k", "a http://x:***@h b https://y:***@k", []string{"1", "22"}},
		{"http://user@host/x", "http://user@host/x", nil},
		{"http://user:@host/x", "http://user:@host/x", nil},
		{"http://host:8080/p@x", "http://host:8080/p@x", nil},
		{"no url here: a@b", "no url here: a@b", nil},
		{"://:pw@", "://:***@", []string{"pw"}},
	} {
		got, pws := MaskURLPasswords(tc.in)
		if got != tc.want || strings.Join(pws, "|") != strings.Join(tc.pws, "|") {
			t.Errorf("MaskURLPasswords(%q) = %q, %q; want %q, %q", tc.in, got, pws, tc.want, tc.pws)
		}
	}
}

// TestNewEncoded: the encoded forms of a secret (base64 std/url, padded or
// not; query and path escapes in either hex case; JSON escapes) are masked
// as the secret is.
func TestNewEncoded(t *testing.T) {
	const secret = "S3cr/t+Key=Value!"
	r := NewEncoded(secret)
	tests := []struct {
		name, in, want string
	}{
		{"raw", "k " + secret, "k ***"},
		{"lower-cased", "bad key s3cr/t+key=value! b64", "bad key *** b64"},
		{"base64", "b64 UzNjci90K0tleT1WYWx1ZSE=", "b64 ***"},
		{"base64 unpadded", "b64 UzNjci90K0tleT1WYWx1ZSE.", "b64 ***."},
		{"base64url", "b64 UzNjci90K0tleT1WYWx1ZSE", "b64 ***"},
		{"query escape", "?k=S3cr%2Ft%2BKey%3DValue%21&x", "?k=***&x"},
		{"query escape lower hex", "?k=s3cr%2ft%2bkey%3dvalue%21&x", "?k=***&x"},
		{"path escape", "/k/S3cr%2Ft+Key=Value%21/x", "/k/***/x"},
		{"JSON escape", `{"k":"S3cr\/t+Key=Value!"}`, `{"k":"***"}`},
		{"unrelated", "plain text", "plain text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Replace(tt.in); got != tt.want {
				t.Errorf("Replace(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	if !r.Mentions([]byte("x UZNJCI90K0TLET1WYWX1ZSE")) || r.Mentions([]byte("nothing")) {
		t.Error("Mentions is wrong")
	}
	if NewEncoded("", "  ") != nil {
		t.Error("NewEncoded of empty values is not nil")
	}
}

// TestPythonQuoteForm: the form urllib.parse.quote writes (/ kept, + and =
// escaped) is hidden too (acceptance audit).
func TestPythonQuoteForm(t *testing.T) {
	r := NewEncoded("Zq9/Secr+et==Key77")
	if got := r.Replace("key is Zq9/Secr%2Bet%3D%3DKey77 ok"); got != "key is *** ok" {
		t.Errorf("got %q", got)
	}
}
