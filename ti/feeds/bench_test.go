package feeds

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/msticgo/msticgo/internal/testcorpus"
	"github.com/msticgo/msticgo/lookup"
)

// genFeed writes n mixed indicators as a plain list: 35% IPv4, 5% CIDR,
// 30% domains, 10% URLs, 20% hashes. It also returns lookup items, half of
// them present in the feed.
func genFeed(n int) ([]byte, []lookup.Item) {
	r := rand.New(rand.NewPCG(1, 2))
	var b bytes.Buffer
	b.Grow(n * 40)
	items := make([]lookup.Item, 0, 4096)
	tlds := []string{"com", "net", "org", "info", "ru", "io"}
	hexs := func(l int) string {
		const h = "0123456789abcdef"
		s := make([]byte, l)
		for i := range s {
			s[i] = h[r.IntN(16)]
		}
		return string(s)
	}
	word := func() string {
		const a = "abcdefghijklmnopqrstuvwxyz"
		s := make([]byte, 6+r.IntN(8))
		for i := range s {
			s[i] = a[r.IntN(26)]
		}
		return string(s)
	}
	pubIP := func() netip.Addr {
		return netip.AddrFrom4([4]byte{byte(20 + r.IntN(180)), byte(r.IntN(256)), byte(r.IntN(256)), byte(1 + r.IntN(254))})
	}
	for i := 0; i < n; i++ {
		var v, typ string
		switch k := i % 20; {
		case k < 7:
			v, typ = pubIP().String(), "ipv4"
		case k < 8:
			l := 16 + r.IntN(15)
			v, typ = netip.PrefixFrom(pubIP(), l).Masked().String(), "ipv4"
		case k < 14:
			v, typ = word()+"."+word()+"."+tlds[r.IntN(len(tlds))], "dns"
		case k < 16:
			v, typ = "http://"+word()+"."+tlds[r.IntN(len(tlds))]+"/"+word()+".exe", "url"
		case k < 18:
			v, typ = hexs(64), "sha256_hash"
		default:
			v, typ = hexs(32), "md5_hash"
		}
		b.WriteString(v)
		b.WriteByte('\n')
		if len(items) < cap(items)/2 && i%197 == 0 {
			if nn, ok := Classify(v); ok && !nn.IsCIDR {
				items = append(items, lookup.Item{Ioc: v, Type: typ, Value: nn.Value})
			}
		}
	}
	// Misses of every type.
	for len(items) < cap(items) {
		switch len(items) % 5 {
		case 0:
			v := pubIP().String()
			items = append(items, lookup.Item{Ioc: v, Type: "ipv4", Value: v})
		case 1:
			v := "sub." + word() + ".com"
			items = append(items, lookup.Item{Ioc: v, Type: "dns", Value: v})
		case 2:
			v := "https://" + word() + ".net/x"
			items = append(items, lookup.Item{Ioc: v, Type: "url", Value: v})
		case 3:
			v := hexs(64)
			items = append(items, lookup.Item{Ioc: v, Type: "sha256_hash", Value: v})
		case 4:
			v := hexs(40)
			items = append(items, lookup.Item{Ioc: v, Type: "sha1_hash", Value: v})
		}
	}
	r.Shuffle(len(items), func(i, j int) { items[i], items[j] = items[j], items[i] })
	return b.Bytes(), items
}

var (
	benchOnce  sync.Once
	benchData  []byte
	benchItems []lookup.Item
	benchProv  *Provider
)

func benchSetup(b *testing.B) {
	benchOnce.Do(func() {
		benchData, benchItems = genFeed(1_000_000)
		dir := b.TempDir()
		f := dir + "/feed.txt"
		if err := os.WriteFile(f, benchData, 0o644); err != nil {
			panic(err)
		}
		s, err := ParseSettings(map[string]string{"Files": f, "Reload": "off"}, "")
		if err != nil {
			panic(err)
		}
		benchProv, err = New(context.Background(), "Feeds", s, nil)
		if err != nil {
			panic(err)
		}
	})
}

// BenchmarkFeedsLoad1M parses and indexes a 1M-indicator plain list and
// reports the index's heap cost per indicator.
func BenchmarkFeedsLoad1M(b *testing.B) {
	data, _ := genFeed(1_000_000)
	b.ResetTimer()
	for range b.N {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		p, err := parseFeed("gen.txt", data, FeedSpec{Severity: lookup.SevHigh, DomainMatch: "suffix"})
		if err != nil {
			b.Fatal(err)
		}
		ix := newIndex()
		for _, in := range p.Indicators {
			ix.add(0, in)
		}
		ix.seal()
		p = nil
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(ix.size()), "B/indicator")
		runtime.KeepAlive(ix)
	}
}

func reportRates(b *testing.B, start time.Time, cpu time.Duration) {
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "lookups/s")
	if used := cpuTime() - cpu; used > 0 {
		b.ReportMetric(float64(b.N)/used.Seconds(), "lookups/cpu-s")
	}
}

// BenchmarkFeedsLookup1M looks up pre-normalised items (half hits) against
// a 1M-indicator index through Provider.Lookup, on one goroutine.
func BenchmarkFeedsLookup1M(b *testing.B) {
	benchSetup(b)
	ctx := context.Background()
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime()
	for i := range b.N {
		benchProv.Lookup(ctx, benchItems[i%len(benchItems)])
	}
	reportRates(b, start, cpu)
}

// BenchmarkFeedsLookup1MParallel is the same on every CPU.
func BenchmarkFeedsLookup1MParallel(b *testing.B) {
	benchSetup(b)
	ctx := context.Background()
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		i := rand.IntN(len(benchItems))
		for pb.Next() {
			benchProv.Lookup(ctx, benchItems[i%len(benchItems)])
			i++
		}
	})
	reportRates(b, start, cpu)
}

// BenchmarkWarninglistPublicDNSv4 matches addresses against the real
// 62k-entry public-dns-v4 warninglist.
func BenchmarkWarninglistPublicDNSv4(b *testing.B) {
	f := testcorpus.Path(b, "feeds", "misp-warninglists", "public-dns-v4.json")
	data, err := os.ReadFile(f)
	if err != nil {
		b.Fatal(err)
	}
	w, err := ParseWarninglist(data)
	if err != nil {
		b.Fatal(err)
	}
	ben := newBenign([]*Warninglist{w})
	r := rand.New(rand.NewPCG(3, 4))
	qs := make([]Normalised, 1024)
	for i := range qs {
		var a netip.Addr
		if i%2 == 0 {
			a = w.entries[r.IntN(len(w.entries))].Prefix.Addr()
		} else {
			a = netip.AddrFrom4([4]byte{byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256))})
		}
		qs[i], _ = normIP(a.String())
	}
	b.ResetTimer()
	hits := 0
	for i := range b.N {
		if ben.match(qs[i%len(qs)]) != nil {
			hits++
		}
	}
	if b.N >= 1000 && hits == 0 {
		b.Fatal("no hits: the items do not reach the index")
	}
}

func ExampleClassify() {
	n, _ := Classify("hxxps://Evil[.]com/payload.exe")
	fmt.Println(n.Type, n.Value)
	// Output: url https://evil.com/payload.exe
}

// BenchmarkFeedsLookup1MByType splits the lookup cost by indicator type.
func BenchmarkFeedsLookup1MByType(b *testing.B) {
	benchSetup(b)
	ctx := context.Background()
	for _, typ := range []string{"ipv4", "dns", "url", "sha256_hash", "sha1_hash"} {
		var sel []lookup.Item
		for _, it := range benchItems {
			if it.Type == typ {
				sel = append(sel, it)
			}
		}
		b.Run(typ, func(b *testing.B) {
			start, cpu := time.Now(), cpuTime()
			for i := range b.N {
				benchProv.Lookup(ctx, sel[i%len(sel)])
			}
			reportRates(b, start, cpu)
		})
	}
}

// BenchmarkFeedsIndexMatch1M measures the index alone on one goroutine:
// normalising each item and walking every matching entry of the 1M
// index and the warninglists, without building the result row (the
// Details text and RawResult maps that Provider.Lookup adds for hits).
func BenchmarkFeedsIndexMatch1M(b *testing.B) {
	benchSetup(b)
	snap := benchProv.snap.Load()
	norm := make([]Normalised, len(benchItems))
	for i, it := range benchItems {
		n, ok := Normalise(it.Value, it.Type)
		if !ok {
			b.Fatalf("%s %s does not normalise", it.Type, it.Value)
		}
		norm[i] = n
	}
	hits := 0
	count := func(h int32, _, _ string) bool {
		for e := h; e >= 0; e = snap.ix.entries[e].next {
			hits++
		}
		return true
	}
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime()
	for i := range b.N {
		it := benchItems[i%len(benchItems)]
		n, ok := quickNorm(it.Value, typeClass(it.Type))
		if !ok {
			n = norm[i%len(norm)]
		}
		snap.ix.match(n, count)
		_ = snap.ben.match(n)
	}
	reportRates(b, start, cpu)
	if b.N >= 1000 && hits == 0 {
		b.Fatal("no hits: the items do not reach the index")
	}
}
