package exec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	osexec "os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/registry"
)

var (
	buildOnce sync.Once
	goPlugin  string
	buildErr  error
)

// testPluginBinary builds testdata/goplugin once per test run.
func testPluginBinary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "msticgo-goplugin")
		if err != nil {
			buildErr = err
			return
		}
		goPlugin = filepath.Join(dir, "goplugin")
		if runtime.GOOS == "windows" {
			goPlugin += ".exe"
		}
		out, err := osexec.Command("go", "build", "-o", goPlugin, "./testdata/goplugin").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return goPlugin
}

// writePlugin writes a plugin folder with the given manifest and returns it.
func writePlugin(tb testing.TB, manifest string) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ManifestName), []byte(manifest), 0o644); err != nil {
		tb.Fatal(err)
	}
	return dir
}

func goManifest(tb testing.TB, kind, name, mode, extra string, limits ...string) string {
	return fmt.Sprintf("kind: %s\nprovider_name: %s\ncommand: [%q, %q]\nlimits: {shutdown_timeout: 500ms, call_timeout: 5s%s}\n%s",
		kind, name, testPluginBinary(tb), mode, strings.Join(append([]string{""}, limits...), ", "), extra)
}

func newInstance(tb testing.TB, dir string, args registry.FactoryArgs) any {
	tb.Helper()
	def, err := Load(dir, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if args.LoadedAs == "" {
		args.LoadedAs = def.Manifest.ProviderName
	}
	inst, err := def.Factory(context.Background(), args)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = def.Close() })
	return inst
}

func items(n int) []lookup.Item {
	out := make([]lookup.Item, n)
	for i := range out {
		ip := fmt.Sprintf("20.1.2.%d", i)
		out[i] = lookup.Item{Ioc: ip, Type: "ipv4", Value: ip}
	}
	return out
}

func TestLookupGoodPlugin(t *testing.T) {
	dir := writePlugin(t, goManifest(t, "ti", "GoodGo", "good", "aliases: [GG]\nioc_types: [ipv4]\n", "max_batch: 3"))
	p := newInstance(t, dir, registry.FactoryArgs{LoadedAs: "GG"}).(*Provider)
	if n := len(p.pool.live); n != 0 {
		t.Fatalf("Factory started %d processes; want none before first use", n)
	}
	res := p.LookupBatch(context.Background(), items(7))
	for i, r := range res {
		wantFound := i%2 == 0
		if r.Status != lookup.StatusFound && r.Status != lookup.StatusNotFound {
			t.Fatalf("item %d: status %v (%s)", i, r.Status, r.Message)
		}
		if r.Found != wantFound {
			t.Errorf("item %d: found %v, want %v", i, r.Found, wantFound)
		}
		if d, _ := r.Details.(map[string]any); d["loaded_as"] != "GG" {
			t.Errorf("item %d: details %v: plugin did not get the loaded-as name", i, r.Details)
		}
	}
	if got := p.SupportedTypes(); len(got) != 1 || got[0] != "ipv4" {
		t.Errorf("SupportedTypes = %v", got)
	}
	if l := p.Limits(); l.MaxBatch != 3 || l.Concurrency != 1 {
		t.Errorf("Limits = %+v", l)
	}
	if err := p.Health(context.Background()); err != nil {
		t.Errorf("Health: %v", err)
	}
}

func TestBareStringIsPerItemError(t *testing.T) {
	dir := writePlugin(t, goManifest(t, "ti", "Bare", "bare", ""))
	p := newInstance(t, dir, registry.FactoryArgs{}).(*Provider)
	for _, r := range p.LookupBatch(context.Background(), items(3)) {
		if r.Status != lookup.StatusUnexpected || !strings.Contains(r.Message, `"everything is fine"`) {
			t.Errorf("got %v %q; want unexpected response quoting the string", r.Status, r.Message)
		}
		if r.Severity != lookup.SevUnknown {
			t.Errorf("error row has severity %v, want unknown", r.Severity)
		}
	}
}

// TestToResultErrorSeverity: a plugin's error row carries no verdict, even
// when the plugin names a severity; answers keep theirs.
func TestToResultErrorSeverity(t *testing.T) {
	yes := true
	for _, c := range []struct {
		w    WireResult
		want lookup.Severity
	}{
		{WireResult{Status: "error", Severity: "high", Message: "HTTP 401"}, lookup.SevUnknown},
		{WireResult{Status: "timeout"}, lookup.SevUnknown},
		{WireResult{Status: "rate_limited", Severity: "warning"}, lookup.SevUnknown},
		{WireResult{Status: "bogus"}, lookup.SevUnknown},
		{WireResult{Status: "found", Severity: "high", Found: &yes}, lookup.SevHigh},
		{WireResult{Status: "not_found"}, lookup.SevInformation},
	} {
		if got := toResult(&c.w).Severity; got != c.want {
			t.Errorf("%+v: severity %v, want %v", c.w, got, c.want)
		}
	}
}

// TestCrashRestartsThenUnavailable: a crash fails the call with the exit
// status and the stderr lines of that call; the next call starts a new process;
// after max_restarts crashes in a row the plugin is unavailable, and its
// calls fail at once without starting another process.
func TestCrashRestartsThenUnavailable(t *testing.T) {
	_, p, buf := loggedInstance(t, writePlugin(t, goManifest(t, "ti", "Crashy", "crash", "", "max_restarts: 2")))
	// Each process writes one stderr line, just before it exits.
	started := func() int { return strings.Count(buf.String(), `msg="plugin stderr"`) }
	for i := 1; i <= 2; i++ {
		r := p.Lookup(context.Background(), items(1)[0])
		if r.Status != lookup.StatusProviderError || !strings.Contains(r.Message, "upstream said 401") || !strings.Contains(r.Message, "exit status 3") {
			t.Fatalf("crash %d: %v %q", i, r.Status, r.Message)
		}
		if n := strings.Count(r.Message, "upstream said 401"); n != 1 {
			t.Errorf("crash %d: message quotes %d stderr lines, want only this process's one: %q", i, n, r.Message)
		}
		if n := started(); n != i {
			t.Fatalf("after crash %d, %d processes ran; want %d (one restart per call)", i, n, i)
		}
	}
	var ue *UnavailableError
	if err := p.Unavailable(); !errors.As(err, &ue) || !strings.Contains(err.Error(), "upstream said 401") {
		t.Fatalf("Unavailable() = %v; want unavailable with the last stderr line", err)
	}
	r := p.Lookup(context.Background(), items(1)[0])
	if r.Status != lookup.StatusProviderError || !strings.Contains(r.Message, "unavailable") || !strings.Contains(r.Message, "upstream said 401") {
		t.Fatalf("after unavailable: %v %q", r.Status, r.Message)
	}
	if n := started(); n != 2 {
		t.Errorf("an unavailable plugin was started again (%d processes)", n)
	}
}

// TestRestartBudget: max_restarts counts crashes in a row; a failed
// initialize is a crash, and a call that succeeds resets the count.
func TestRestartBudget(t *testing.T) {
	ctx := context.Background()
	t.Run("success resets the count", func(t *testing.T) {
		dir := writePlugin(t, goManifest(t, "data", "Flaky", "good", "", "max_restarts: 3"))
		d := newInstance(t, dir, registry.FactoryArgs{}).(*Driver)
		steps := []struct {
			text        string
			unavailable bool // after the step
		}{
			{"exit", false}, {"exit", false}, {"rows 1", false},
			{"exit", false}, {"exit", false}, {"exit", true},
		}
		for i, s := range steps {
			_, err := d.Query(ctx, data.Query{Text: s.text})
			if (err == nil) != (s.text != "exit") {
				t.Fatalf("step %d %q: %v", i, s.text, err)
			}
			if got := d.pool.Unavailable() != nil; got != s.unavailable {
				t.Fatalf("step %d %q: unavailable %v, want %v", i, s.text, got, s.unavailable)
			}
		}
	})
	t.Run("failed initialize is a crash", func(t *testing.T) {
		dir := writePlugin(t, goManifest(t, "ti", "NoInit", "badinit", "", "max_restarts: 2"))
		p := newInstance(t, dir, registry.FactoryArgs{}).(*Provider)
		for i, want := range []bool{false, true} {
			if r := p.Lookup(ctx, items(1)[0]); r.Status != lookup.StatusProviderError {
				t.Fatalf("lookup %d: %v %q", i, r.Status, r.Message)
			}
			if got := p.Unavailable() != nil; got != want {
				t.Fatalf("after failed start %d: unavailable %v, want %v", i+1, got, want)
			}
		}
	})
}

// TestRestartBackoff: the wait before a restart doubles from 100 ms and
// stops at 5 s, however many crashes there were.
func TestRestartBackoff(t *testing.T) {
	cases := []struct {
		crashes int
		want    time.Duration
	}{
		{0, 0}, {1, 100 * time.Millisecond}, {2, 200 * time.Millisecond}, {3, 400 * time.Millisecond},
		{6, 3200 * time.Millisecond}, {7, 5 * time.Second}, {40, 5 * time.Second}, {70, 5 * time.Second}, {1 << 20, 5 * time.Second},
	}
	for _, c := range cases {
		if got := restartBackoff(c.crashes); got != c.want {
			t.Errorf("restartBackoff(%d) = %s, want %s", c.crashes, got, c.want)
		}
	}
}

func TestBadInitialize(t *testing.T) {
	dir := writePlugin(t, goManifest(t, "ti", "BadInit", "badinit", ""))
	p := newInstance(t, dir, registry.FactoryArgs{}).(*Provider)
	r := p.Lookup(context.Background(), items(1)[0])
	if r.Status != lookup.StatusProviderError || !strings.Contains(r.Message, "missing library") || !strings.Contains(r.Message, "initialize") {
		t.Fatalf("got %v %q", r.Status, r.Message)
	}
}

// TestHandshakeProtocolVersion: a plugin that chooses a protocol newer
// than the host's fails its calls with a message saying what to do.
func TestHandshakeProtocolVersion(t *testing.T) {
	dir := writePlugin(t, goManifest(t, "ti", "Future", "newproto", "", "max_restarts: 1"))
	p := newInstance(t, dir, registry.FactoryArgs{}).(*Provider)
	r := p.Lookup(context.Background(), items(1)[0])
	if r.Status != lookup.StatusProviderError || !strings.Contains(r.Message, "chose protocol 2") || !strings.Contains(r.Message, "upgrade msticgo") {
		t.Fatalf("got %v %q", r.Status, r.Message)
	}
	if err := p.Health(context.Background()); err == nil {
		t.Error("health of a plugin with an unsupported protocol succeeded")
	}
}

func TestMalformedLineQuoted(t *testing.T) {
	dir := writePlugin(t, goManifest(t, "ti", "Chatty", "malformed", ""))
	p := newInstance(t, dir, registry.FactoryArgs{}).(*Provider)
	r := p.Lookup(context.Background(), items(1)[0])
	if r.Status != lookup.StatusUnexpected || !strings.Contains(r.Message, `"hello from a print statement`) {
		t.Fatalf("got %v %q; want the line quoted", r.Status, r.Message)
	}
	// The process survives: the next call skips the stale answer and works.
	r = p.Lookup(context.Background(), items(1)[0])
	if r.Status != lookup.StatusUnexpected {
		t.Fatalf("second call: %v %q", r.Status, r.Message)
	}
}

// TestLateNotificationsIgnored: after a call fails on a malformed line the
// process is kept, and the plugin goes on streaming that call's results.
// The next call must not take them for its own: lookup results, query
// columns and rows carry the request_id of the call they belong to.
func TestLateNotificationsIgnored(t *testing.T) {
	ctx := context.Background()
	t.Run("lookup", func(t *testing.T) {
		dir := writePlugin(t, goManifest(t, "ti", "Late", "stale", ""))
		p := newInstance(t, dir, registry.FactoryArgs{}).(*Provider)
		r := p.Lookup(ctx, items(1)[0])
		if r.Status != lookup.StatusUnexpected || !strings.Contains(r.Message, `"not protocol"`) {
			t.Fatalf("first call: %v %q; want the malformed line quoted", r.Status, r.Message)
		}
		r = p.Lookup(ctx, items(1)[0])
		if d, _ := r.Details.(map[string]any); r.Status != lookup.StatusFound || d["loaded_as"] != "Late" {
			t.Fatalf("second call: %v %q %v; want its own result, not the first call's late one", r.Status, r.Message, r.Details)
		}
	})
	t.Run("query", func(t *testing.T) {
		dir := writePlugin(t, goManifest(t, "data", "LateSQL", "stale", ""))
		d := newInstance(t, dir, registry.FactoryArgs{}).(*Driver)
		if _, err := d.Query(ctx, data.Query{Text: "rows 3"}); err == nil || !strings.Contains(err.Error(), `"not protocol"`) {
			t.Fatalf("first query: %v; want the malformed line quoted", err)
		}
		res, err := d.Query(ctx, data.Query{Text: "rows 3"})
		if err != nil || res.Frame.Len() != 3 {
			t.Fatalf("second query: %v %+v; want its own 3 rows only", err, res)
		}
	})
}

// TestCallTimeoutEndsProcess: a plugin that ignores cancel past its call
// timeout is ended; the item says timeout and the next call starts a new
// process.
func TestCallTimeoutEndsProcess(t *testing.T) {
	dir := writePlugin(t, fmt.Sprintf("kind: ti\nprovider_name: Slow\ncommand: [%q, slow]\nlimits: {call_timeout: 300ms, shutdown_timeout: 200ms}\n", testPluginBinary(t)))
	p := newInstance(t, dir, registry.FactoryArgs{}).(*Provider)
	var procs []*proc
	for i := 0; i < 2; i++ {
		var seen *proc
		started := func(_ context.Context, pr *proc) error { seen = pr; return nil }
		_, err := p.pool.do(context.Background(), MethodLookup, LookupParams{Items: []WireItem{{ID: "0", Ioc: "1.2.3.4", IocType: "ipv4"}}}, nil, started)
		if statusOfErr(context.Background(), err) != lookup.StatusTimeout || !strings.Contains(err.Error(), "its process is ended") {
			t.Fatalf("call %d: %v; want a timeout that ends the process", i, err)
		}
		p.pool.mu.Lock()
		live, idle := len(p.pool.live), len(p.pool.idle)
		p.pool.mu.Unlock()
		if live != 0 || idle != 0 {
			t.Fatalf("call %d: the process that ignored cancel is still in the pool (%d live, %d idle)", i, live, idle)
		}
		procs = append(procs, seen)
	}
	if procs[0] == procs[1] {
		t.Fatal("the second call reused the ended process")
	}
	<-procs[0].done // ended (shutdown, SIGTERM, SIGKILL), not left running
	r := p.Lookup(context.Background(), items(1)[0])
	if r.Status != lookup.StatusTimeout {
		t.Fatalf("Lookup: %v %q; want timeout", r.Status, r.Message)
	}
}

// TestCancelHonoured: a plugin that answers cancel keeps its process.
func TestCancelHonoured(t *testing.T) {
	dir := writePlugin(t, goManifest(t, "ti", "Polite", "cancellable", ""))
	p := newInstance(t, dir, registry.FactoryArgs{}).(*Provider)
	var pids []int
	for i := 0; i < 2; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
		r := p.Lookup(ctx, items(1)[0])
		cancel()
		if r.Status != lookup.StatusTimeout {
			t.Fatalf("call %d: %v %q", i, r.Status, r.Message)
		}
		p.pool.mu.Lock()
		for pr := range p.pool.live {
			pids = append(pids, pr.cmd.Process.Pid)
		}
		p.pool.mu.Unlock()
	}
	if len(pids) != 2 || pids[0] != pids[1] {
		t.Fatalf("process not reused after an honoured cancel: %v", pids)
	}
}

func TestSecretsScrubbedFromLog(t *testing.T) {
	var buf syncBuffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	dir := writePlugin(t, goManifest(t, "ti", "Leaky", "secret", "settings: [{name: AuthKey, required: true, secret: true}]\n"))
	def, err := Load(dir, log)
	if err != nil {
		t.Fatal(err)
	}
	defer def.Close()
	inst, err := def.Factory(context.Background(), registry.FactoryArgs{Settings: map[string]string{"AuthKey": "s3cr3t-value"}})
	if err != nil {
		t.Fatal(err)
	}
	r := inst.(*Provider).Lookup(context.Background(), items(1)[0])
	if !r.Status.OK() {
		t.Fatalf("lookup: %v %q", r.Status, r.Message)
	}
	if got := fmt.Sprint(r.Details, " ", r.RawResult); got != "map[loaded_as:Leaky tried:[key ***]] ***" {
		t.Errorf("details and raw of a found item: %s", got)
	}
	for _, r := range inst.(*Provider).LookupBatch(context.Background(), items(2)) {
		if r.Status != lookup.StatusProviderError || strings.Contains(r.Message, "s3cr3t-value") || !strings.Contains(r.Message, "key *** refused") {
			t.Errorf("error answer: %v %q", r.Status, r.Message)
		}
	}
	for _, r := range inst.(*Provider).LookupBatch(context.Background(), items(3)) {
		if r.Status != lookup.StatusUnexpected || strings.Contains(r.Message, "s3cr3t-value") || !strings.Contains(r.Message, "key *** is fine") {
			t.Errorf("bare string answer: %v %q", r.Status, r.Message)
		}
	}
	if err := inst.(*Provider).Health(context.Background()); err == nil || strings.Contains(err.Error(), "s3cr3t-value") || !strings.Contains(err.Error(), "key *** expired") {
		t.Errorf("health: %v", err)
	}
	def.Close()
	out := buf.String()
	if strings.Contains(out, "s3cr3t-value") {
		t.Fatalf("secret in log:\n%s", out)
	}
	if !strings.Contains(out, "using key ***") {
		t.Fatalf("stderr line not logged:\n%s", out)
	}
}

// TestProcessEnvironment: settings reach the plugin only in initialize
// (never in its environment); it runs in its folder, with the manifest's
// env (${PLUGIN_DIR} replaced) and MSTICGO_PLUGIN=1.
func TestProcessEnvironment(t *testing.T) {
	dir := writePlugin(t, goManifest(t, "ti", "Env", "env", "env: {EXTRA: \"${PLUGIN_DIR}/lib\"}\nsettings: [{name: AuthKey, secret: true}]\n"))
	p := newInstance(t, dir, registry.FactoryArgs{Settings: map[string]string{"AuthKey": "k-env-7781"}, Secrets: map[string]bool{"AuthKey": true}}).(*Provider)
	r := p.Lookup(context.Background(), items(1)[0])
	if r.Status != lookup.StatusFound {
		t.Fatalf("%v %q", r.Status, r.Message)
	}
	d, _ := r.Details.(map[string]any)
	want, _ := filepath.EvalSymlinks(dir)
	if wd, _ := filepath.EvalSymlinks(fmt.Sprint(d["wd"])); wd != want || d["extra"] != dir+"/lib" {
		t.Errorf("working directory %v, EXTRA %v; want %s and %s/lib", d["wd"], d["extra"], dir, dir)
	}
}

func TestNotConfigured(t *testing.T) {
	dir := writePlugin(t, goManifest(t, "ti", "NeedsKey", "good", "settings: [{name: AuthKey, required: true, secret: true}, {name: Port, type: int}]\n"))
	def, err := Load(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = def.Factory(context.Background(), registry.FactoryArgs{})
	var nc *NotConfiguredError
	if !errors.As(err, &nc) || nc.Missing[0] != "AuthKey" {
		t.Fatalf("got %v", err)
	}
	_, err = def.Factory(context.Background(), registry.FactoryArgs{Settings: map[string]string{"AuthKey": "k", "Port": "eighty"}})
	if err == nil || !strings.Contains(err.Error(), "Port") {
		t.Fatalf("bad int setting: %v", err)
	}
}

func TestDataDriverStreamsRows(t *testing.T) {
	dir := writePlugin(t, goManifest(t, "data", "GoSQL", "good", "data_environments: [SQLTestProvider, SQLProdProvider]\ndialect: sql\n", "concurrency: 2"))
	d := newInstance(t, dir, registry.FactoryArgs{LoadedAs: "SQLProdProvider"}).(*Driver)
	ctx := context.Background()
	if err := d.Connect(ctx, "db=1"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := d.Query(ctx, data.Query{Text: "rows 5"})
			if err != nil {
				t.Error(err)
				return
			}
			f := res.Frame
			if f.Len() != 5 || len(f.Columns) != 3 || f.Rows[4][0] != int64(4) || f.Rows[0][1] != "SQLProdProvider" {
				t.Errorf("frame %v %v", f.Names(), f.Rows)
			}
			if _, ok := f.Rows[0][2].(time.Time); !ok {
				t.Errorf("time column not converted: %T", f.Rows[0][2])
			}
		}()
	}
	wg.Wait()
	d.pool.mu.Lock()
	live := len(d.pool.live)
	d.pool.mu.Unlock()
	if live < 1 || live > 2 {
		t.Errorf("%d processes for concurrency 2", live)
	}
	if d.Dialect() != "sql" {
		t.Errorf("dialect %q", d.Dialect())
	}
}

// TestQueryLimit: the host keeps at most the query's limit of rows, and
// says the result is truncated when the plugin sent more.
func TestQueryLimit(t *testing.T) {
	dir := writePlugin(t, goManifest(t, "data", "Lim", "good", ""))
	d := newInstance(t, dir, registry.FactoryArgs{}).(*Driver)
	cases := []struct {
		text      string
		limit     int
		rows      int
		truncated bool
	}{
		{"rows 5", 0, 5, false}, {"rows 5", 5, 5, false}, {"rows 5", 3, 3, true}, {"rows 5", 1, 1, true},
	}
	for _, c := range cases {
		res, err := d.Query(context.Background(), data.Query{Text: c.text, Limit: c.limit})
		if err != nil || res.Frame.Len() != c.rows || res.Truncated != c.truncated || (c.rows > 0 && res.Frame.Rows[c.rows-1][0] != int64(c.rows-1)) {
			t.Errorf("%s limit %d: %v %+v; want %d rows, truncated %v", c.text, c.limit, err, res, c.rows, c.truncated)
		}
	}
}

// TestReconnectAfterRestart: a process started after Connect (here, after
// a crash) is sent connect again before its first query.
func TestReconnectAfterRestart(t *testing.T) {
	ctx := context.Background()
	dir := writePlugin(t, goManifest(t, "data", "Reconn", "good", ""))
	fresh := newInstance(t, dir, registry.FactoryArgs{}).(*Driver)
	if _, err := fresh.Query(ctx, data.Query{Text: "needconn rows 2"}); err == nil || !strings.Contains(err.Error(), "query before connect") {
		t.Fatalf("query before any connect: %v; want the plugin's refusal", err)
	}
	d := newInstance(t, dir, registry.FactoryArgs{}).(*Driver)
	if err := d.Connect(ctx, "db=1"); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		text    string
		wantErr string
	}{
		{"needconn rows 2", ""},
		{"exit", "exit status 3"},
		{"needconn rows 2", ""}, // a new process, connected first
	}
	for i, s := range steps {
		res, err := d.Query(ctx, data.Query{Text: s.text})
		switch {
		case s.wantErr != "" && (err == nil || !strings.Contains(err.Error(), s.wantErr)):
			t.Fatalf("step %d %q: %v; want %q", i, s.text, err, s.wantErr)
		case s.wantErr == "" && (err != nil || res.Frame.Len() != 2):
			t.Fatalf("step %d %q: %v %+v", i, s.text, err, res)
		}
	}
}

// TestTrio runs three Python plugins side by side: one answering with a bare
// string, one that crashes on an HTTP 401 in the middle of a batch, and a
// well-behaved one. The first two give per-item errors; the third completes.
func TestTrio(t *testing.T) {
	if _, err := osexec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	var crashCalls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/crash/") && crashCalls.Add(1) > 2 {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"path": %q, "score": 42}`, r.URL.Path)
	}))
	defer srv.Close()
	sdk, _ := filepath.Abs("../../sdk/python")
	py, _ := filepath.Abs("testdata/python")
	manifest := func(name, script, base string) string {
		return fmt.Sprintf(`kind: ti
provider_name: %s
command: [python3, %q]
env: {PYTHONPATH: %q}
settings: [{name: BaseUrl, required: true}, {name: AuthKey, secret: true}]
limits: {call_timeout: 20s, shutdown_timeout: 500ms, max_restarts: 2}
privacy: {external_service: true}
`, name, filepath.Join(py, script), sdk)
	}
	type run struct {
		name string
		p    *Provider
		res  []lookup.Result
	}
	runs := []*run{
		{name: "bare"}, {name: "crash"}, {name: "good"},
	}
	scripts := map[string]string{"bare": "bare.py", "crash": "crash401.py", "good": "good.py"}
	for _, r := range runs {
		dir := writePlugin(t, manifest(r.name, scripts[r.name], srv.URL+"/"+r.name))
		r.p = newInstance(t, dir, registry.FactoryArgs{Settings: map[string]string{"BaseUrl": srv.URL + "/" + r.name, "AuthKey": "k-123"}}).(*Provider)
	}
	var wg sync.WaitGroup
	for _, r := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.res = r.p.LookupBatch(context.Background(), items(10))
		}()
	}
	wg.Wait()
	for i, res := range runs[0].res {
		if res.Status.OK() || !strings.Contains(res.Message, "looks fine to me") {
			t.Errorf("bare item %d: %v %q", i, res.Status, res.Message)
		}
	}
	for i, res := range runs[1].res {
		if i < 2 {
			if res.Status != lookup.StatusFound {
				t.Errorf("crash item %d (before the 401): %v %q", i, res.Status, res.Message)
			}
			continue
		}
		if res.Status != lookup.StatusProviderError || !strings.Contains(res.Message, "401") {
			t.Errorf("crash item %d: %v %q; want provider error naming the 401", i, res.Status, res.Message)
		}
	}
	for i, res := range runs[2].res {
		d, _ := res.Details.(map[string]any)
		if res.Status != lookup.StatusFound || d["path"] != "/good/ip/"+items(10)[i].Ioc {
			t.Errorf("good item %d: %v %q %v", i, res.Status, res.Message, res.Details)
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// loggedInstance loads the plugin in dir with a text logger writing to the
// returned buffer and creates an instance with no settings; the definition
// is closed at the end of the test (Close may also be called before).
func loggedInstance(tb testing.TB, dir string) (*Definition, *Provider, *syncBuffer) {
	tb.Helper()
	buf := &syncBuffer{}
	def, err := Load(dir, slog.New(slog.NewTextHandler(buf, nil)))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = def.Close() })
	inst, err := def.Factory(context.Background(), registry.FactoryArgs{})
	if err != nil {
		tb.Fatal(err)
	}
	return def, inst.(*Provider), buf
}

// TestCrashStderrIsThisCallsOnly: the error row of a plugin that exits
// during a lookup quotes only the stderr it wrote during that call, not
// the lines of earlier, unrelated lookups.
func TestCrashStderrIsThisCallsOnly(t *testing.T) {
	_, p, buf := loggedInstance(t, writePlugin(t, goManifest(t, "ti", "Noisy", "noisy", "")))
	tests := []struct {
		ioc  string
		want lookup.Status
		has  string
		not  []string
	}{
		{"20.1.2.1", lookup.StatusNotFound, "", nil},
		{"20.1.2.3", lookup.StatusNotFound, "", nil},
		{"20.1.2.9", lookup.StatusProviderError, "dying on 20.1.2.9", []string{"noise for"}},
	}
	for _, tc := range tests {
		r := p.Lookup(context.Background(), lookup.Item{Ioc: tc.ioc, Type: "ipv4", Value: tc.ioc})
		if r.Status != tc.want || !strings.Contains(r.Message, tc.has) {
			t.Fatalf("%s: %v %q; want %v with %q", tc.ioc, r.Status, r.Message, tc.want, tc.has)
		}
		for _, n := range tc.not {
			if strings.Contains(r.Message, n) {
				t.Errorf("%s: message quotes an earlier lookup's stderr: %q", tc.ioc, r.Message)
			}
		}
		if tc.want == lookup.StatusProviderError {
			continue
		}
		// the line is read from the pipe on its own goroutine: wait until
		// it has arrived, so the next call cannot be told it came late
		for !strings.Contains(buf.String(), "noise for "+tc.ioc) {
			runtime.Gosched()
			time.Sleep(time.Millisecond)
		}
	}
}
