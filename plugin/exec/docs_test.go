package exec

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/registry"
	"github.com/msticgo/msticgo/table"
)

// docMessage is one protocol message of docs/plugins.md: "→" host to
// plugin, "←" plugin to host.
type docMessage struct {
	toPlugin bool
	text     string
}

// docTranscripts reads the json blocks of docs/plugins.md that show
// messages, one transcript per block.
func docTranscripts(t *testing.T) [][]docMessage {
	t.Helper()
	b, err := os.ReadFile("../../docs/plugins.md")
	if err != nil {
		t.Fatal(err)
	}
	var out [][]docMessage
	var cur []docMessage
	in := false
	for _, l := range strings.Split(string(b), "\n") {
		switch {
		case !in && l == "```json":
			in, cur = true, nil
		case in && l == "```":
			in = false
			out = append(out, cur)
		case in && (strings.HasPrefix(l, "→ ") || strings.HasPrefix(l, "← ")):
			cur = append(cur, docMessage{toPlugin: strings.HasPrefix(l, "→"), text: strings.TrimSpace(l[len("→ "):])})
		case in && len(cur) > 0:
			cur[len(cur)-1].text += strings.TrimSpace(l) // a message continued on the next line
		}
	}
	return out
}

// TestDocsProtocol checks the protocol transcripts of docs/plugins.md
// against the host: what the docs show the host sending has only fields
// the host knows, every answer the docs show a plugin sending is accepted,
// and a plugin that answers exactly as the docs show gives the results the
// docs describe.
func TestDocsProtocol(t *testing.T) {
	hostParams := map[string]any{
		MethodInitialize: &InitializeParams{}, MethodHealth: &struct{}{}, MethodLookup: &LookupParams{},
		MethodConnect: &struct {
			ConnectionString string `json:"connection_string"`
		}{},
		MethodQuery: &QueryParams{}, MethodCancel: &struct {
			ID int64 `json:"id"`
		}{},
	}
	replay := map[string][]json.RawMessage{}
	for _, tr := range docTranscripts(t) {
		method := ""
		for _, m := range tr {
			if m.toPlugin {
				var msg Message
				if err := json.Unmarshal([]byte(m.text), &msg); err != nil || msg.JSONRPC != "2.0" || msg.Method == "" {
					t.Errorf("docs: host message %s: %v", m.text, err)
					continue
				}
				if msg.ID != nil {
					method = msg.Method // the answers that follow are this request's
				}
				if msg.Method == MethodShutdown {
					continue
				}
				target, ok := hostParams[msg.Method]
				if !ok {
					t.Errorf("docs: the host never sends %q", msg.Method)
					continue
				}
				dec := json.NewDecoder(bytes.NewReader(msg.Params))
				dec.DisallowUnknownFields()
				if err := dec.Decode(target); err != nil {
					t.Errorf("docs: %s params %s: %v", msg.Method, msg.Params, err)
				}
				continue
			}
			if _, err := DecodeLine([]byte(m.text)); err != nil {
				t.Errorf("docs: plugin message rejected by the host: %v", err)
			}
			if method != "" {
				replay[method] = append(replay[method], json.RawMessage(m.text))
			}
		}
	}
	for _, m := range []string{MethodInitialize, MethodHealth, MethodLookup, MethodConnect, MethodQuery} {
		if len(replay[m]) == 0 {
			t.Fatalf("docs: no plugin answer shown for %s", m)
		}
	}
	file := filepath.Join(t.TempDir(), "replay.json")
	b, _ := json.Marshal(replay)
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	manifest := func(kind string) string {
		return fmt.Sprintf("kind: %s\nprovider_name: Docs\ncommand: [%q, replay, %q]\nlimits: {shutdown_timeout: 500ms, call_timeout: 10s}\n", kind, testPluginBinary(t), file)
	}
	ctx := context.Background()

	p := newInstance(t, writePlugin(t, manifest("ti")), registry.FactoryArgs{}).(*Provider)
	if err := p.Health(ctx); err != nil {
		t.Errorf("health: %v", err)
	}
	res := p.LookupBatch(ctx, []lookup.Item{
		{Ioc: "20.1.2.3", Type: "ipv4", Value: "20.1.2.3"},
		{Ioc: "evil.example", Type: "dns", SubType: "passivedns", Value: "evil.example"},
	})
	if d, _ := res[0].Details.(map[string]any); res[0].Status != lookup.StatusFound || res[0].Severity != lookup.SevHigh ||
		fmt.Sprint(d["score"]) != "90" || res[0].Reference != "https://intel.acme.example/ui/20.1.2.3" {
		t.Errorf("item 0 (streamed): %+v", res[0])
	}
	if res[1].Status != lookup.StatusProviderError || !strings.Contains(res[1].Message, "key refused") {
		t.Errorf("item 1 (auth error): %v %q", res[1].Status, res[1].Message)
	}

	d := newInstance(t, writePlugin(t, manifest("data")), registry.FactoryArgs{}).(*Driver)
	if err := d.Connect(ctx, ""); err != nil {
		t.Fatal(err)
	}
	qr, err := d.Query(ctx, data.Query{Text: "SELECT * FROM t WHERE host = $1", Args: []any{"ws1"}, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	f := qr.Frame
	if strings.Join(f.Names(), ",") != "ts,host,n" || f.Len() != 3 || f.Columns[0].Type != table.Time || f.Columns[2].Type != table.Int {
		t.Fatalf("frame %v %+v %v", f.Names(), f.Columns, f.Rows)
	}
	// The last row was sent as an object keyed by column name.
	if ts, _ := f.Rows[2][0].(time.Time); !ts.Equal(time.Date(2024, 3, 1, 11, 0, 0, 0, time.UTC)) || f.Rows[2][1] != "ws1" || f.Rows[2][2] != int64(1) {
		t.Errorf("row 3: %v", f.Rows[2])
	}
}
