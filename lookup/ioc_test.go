package lookup

import (
	"context"
	"strings"
	"testing"
)

// TestFaultBulk is the bulk of issue 4 "Bad input and faults": one row per
// input, in order, the right status, and no call for what must not be sent.
func TestFaultBulk(t *testing.T) {
	srv := newTIServer(t)
	p := srv.provider("ipv4", "ipv6", "dns", "url", "md5_hash", "sha1_hash", "sha256_hash")
	e := NewEngine([]ProviderSpec{{Name: "TestTI", Provider: p, Primary: true}}, Options{Prepare: IOCPreparer})
	in := []Input{
		{Value: "44D88612FEA8A8F36DE82E1278ABB02F"},            // hit
		{Value: "1.1.1.1"},                                     // 404 miss
		{Value: "zz-not-a-hash", Type: "md5_hash"},             // invalid hash
		{Value: "zz-not-a-hash"},                               // no type can be inferred
		{Value: "http://[::1"},                                 // malformed URL
		{Value: "10.1.2.3"},                                    // private address
		{Value: "bücher.de"},                                   // IDN, Unicode form
		{Value: "xn--bcher-kva.de"},                            // the same, punycode form
		{Value: "44d88612fea8a8f36de82e1278abb02f"},            // hit again, other case
		{Value: "hxxps://evil[.]example[.]com/x", Type: "url"}, // defanged URL, hit
	}
	rows, sum, err := e.Rows(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		status Status
		msg    string
	}{
		{StatusFound, ""},
		{StatusNotFound, ""},
		{StatusInvalid, "does not match expected pattern for md5_hash"},
		{StatusUnsupported, "Type unknown not supported."},
		{StatusInvalid, "Could not obtain scheme or host"},
		{StatusNotRoutable, "not routable: private"},
		{StatusNotFound, ""},
		{StatusNotFound, ""},
		{StatusFound, ""},
		{StatusFound, ""},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i, w := range want {
		r := rows[i]
		if r.Index != i || r.Item.Ioc != in[i].Value || r.Result.Status != w.status || !strings.Contains(r.Result.Message, w.msg) {
			t.Errorf("row %d (%q): %v %q; want %v %q", i, r.Item.Ioc, r.Result.Status, r.Result.Message, w.status, w.msg)
		}
	}
	if rows[6].Item.Value != rows[7].Item.Value {
		t.Errorf("IDN forms keyed apart: %q vs %q", rows[6].Item.Value, rows[7].Item.Value)
	}
	// One call per distinct key: the hash, 1.1.1.1, the IDN domain, the URL.
	if got := srv.total.Load(); got != 4 || sum.Calls != 4 {
		t.Errorf("server saw %d calls (engine %d), want 4", got, sum.Calls)
	}
	for _, v := range []string{"zz-not-a-hash", "10.1.2.3", "http://[::1"} {
		if srv.count(v) != 0 {
			t.Errorf("%q was sent", v)
		}
	}
}

type typesOnly []string

func (t typesOnly) SupportedTypes() []string          { return t }
func (typesOnly) Lookup(context.Context, Item) Result { return Result{Status: StatusNotFound} }

func TestIOCPreparerWithProviderTypes(t *testing.T) {
	extra := ExtraTypes([]ProviderSpec{{Name: "A", Provider: typesOnly{"ipv4", "User", "ipv4-whois", "email"}}, {Name: "B"}})
	if len(extra) != 1 || !extra["user"] {
		t.Fatalf("extra types %v, want only user", extra)
	}
	prep := IOCPreparerWith(extra)
	tests := []struct {
		in, typ   string
		wantType  string
		wantValue string
		check     Check
	}{
		{" User01 ", "user", "user", "User01", CheckOK},
		{"User01", "USER", "user", "User01", CheckOK},
		{"User01", "colour", "colour", "", CheckInvalid},   // still unknown
		{"10.0.0.1", "ipv4", "ipv4", "", CheckNotRoutable}, // ioc types unchanged
		{"8.8.8[.]8", "", "ipv4", "8.8.8.8", CheckOK},
	}
	for _, tt := range tests {
		p := prep(tt.in, tt.typ)
		if p.Item.Type != tt.wantType || p.Check != tt.check || (tt.wantValue != "" && p.Item.Value != tt.wantValue) {
			t.Errorf("prep(%q, %q) = %+v", tt.in, tt.typ, p)
		}
	}
	// Through the engine: the provider that declares the type is asked, the
	// other answers unsupported type without a call.
	srv := newTIServer(t)
	withUser := srv.provider("user")
	without := srv.provider("ipv4")
	e := NewEngine([]ProviderSpec{{Name: "U", Provider: withUser}, {Name: "N", Provider: without}}, Options{Prepare: prep})
	rows, _, _ := e.Rows(context.Background(), []Input{{Value: "evil-user", Type: "user"}})
	if len(rows) != 2 || rows[0].Result.Status != StatusFound || rows[1].Result.Status != StatusUnsupported || srv.total.Load() != 1 {
		t.Errorf("rows %+v, calls %d", rows, srv.total.Load())
	}
}

// TestEngineNoTypesMeansEvery: a TypeSupporter whose list is nil or empty
// (a plugin without SUPPORTED or ioc_types) is asked about every type; a
// list restricts it.
func TestEngineNoTypesMeansEvery(t *testing.T) {
	cases := []struct {
		name  string
		types typesOnly
		want  []Status // for ipv4, dns
	}{
		{"nil", nil, []Status{StatusNotFound, StatusNotFound}},
		{"empty", typesOnly{}, []Status{StatusNotFound, StatusNotFound}},
		{"ipv4 only", typesOnly{"ipv4"}, []Status{StatusNotFound, StatusUnsupported}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := NewEngine([]ProviderSpec{{Name: "P", Provider: c.types}}, Options{Prepare: simplePrepare})
			rows, _, err := e.Rows(context.Background(), inputs("ipv4:8.8.8.8", "dns:evil.example"))
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(c.want) {
				t.Fatalf("got %d rows, want %d", len(rows), len(c.want))
			}
			for i, r := range rows {
				if r.Result.Status != c.want[i] {
					t.Errorf("row %d (%s): %v, want %v", i, r.Item.Type, r.Result.Status, c.want[i])
				}
			}
		})
	}
}
