// Command goplugin is a test plugin for package exec. Its behaviour is
// chosen by its first argument:
//
//	good      answers every lookup item (found for even last digit) and serves queries
//	          ("rows N": N rows; "exit": exits at once; "needconn ...": fails unless
//	          this process was sent connect)
//	bare      answers lookup with a bare string
//	crash     exits with status 3 on its first lookup, writing a message to stderr
//	noisy     writes "noise for IOC" to stderr on each lookup and answers it, except
//	          for an IOC ending in ".9": writes "dying on IOC" and exits with status 3
//	malformed writes a non-protocol line before answering
//	slow      never answers lookup (ignores cancel)
//	secret    writes the AuthKey setting to stderr, then answers; echoes it in details and
//	          raw (1 item), an error (2 items), a bare string result (3 items) and health
//	spawn     starts a child "sleep 300" in its process group and writes its pid to stderr
//	daemon    starts "setsid sleep 300" (outside its process group, holding its stdout
//	          and stderr open) as it initialises, writes "child N" to stderr, and exits
//	          with status 3 on its first lookup
//	badinit   exits during initialize
//	newproto  answers initialize choosing protocol 2 (newer than the host's)
//	cancellable never answers lookup until cancelled, then answers with a timeout error
//	noshutdown  ignores shutdown and the end of stdin (ended by SIGTERM)
//	stubborn    as noshutdown, and ignores SIGTERM too (ended by SIGKILL)
//	hang      writes "pid N" to stderr, ignores SIGTERM, answers initialize, then blocks
//	          on its first lookup without reading stdin again (ended by SIGKILL)
//	noinit    writes "pid N" to stderr, ignores SIGTERM and never answers initialize
//	replay FILE answers each request with the messages FILE lists for its method
//	          (a JSON object: method → list of messages; id and request_id are
//	          set to the request's id), as docs/plugins.md shows them
//	env       checks its environment (no setting value in it, MSTICGO_PLUGIN=1) and
//	          answers lookup with its working directory and $EXTRA
//	stale     on its first lookup and first query writes a non-protocol line, then
//	          streams that call's results anyway (late, for a call the host gave up);
//	          later calls are answered as in good
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

type msg struct {
	ID     *int64          `json:"id,omitempty"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
}

func main() {
	mode := "good"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	var replay map[string][]json.RawMessage
	if mode == "replay" {
		b, err := os.ReadFile(os.Args[2])
		if err == nil {
			err = json.Unmarshal(b, &replay)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "replay:", err)
			os.Exit(5)
		}
	}
	if mode == "stubborn" || mode == "hang" || mode == "noinit" {
		signal.Ignore(syscall.SIGTERM)
	}
	if mode == "hang" || mode == "noinit" {
		fmt.Fprintf(os.Stderr, "pid %d\n", os.Getpid())
		if mode == "noinit" {
			for {
				time.Sleep(time.Hour)
			}
		}
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 16<<20)
	out := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(out)
	send := func(v map[string]any) {
		v["jsonrpc"] = "2.0"
		_ = enc.Encode(v)
		_ = out.Flush()
	}
	var settings map[string]any
	var loadedAs string
	var pending *int64
	connected := false
	staleDone := map[string]bool{}
	for in.Scan() {
		var m msg
		if err := json.Unmarshal(in.Bytes(), &m); err != nil {
			fmt.Fprintln(os.Stderr, "bad input:", err)
			continue
		}
		if mode == "replay" {
			if m.Method == "shutdown" {
				return
			}
			if m.ID == nil {
				continue
			}
			msgs, ok := replay[m.Method]
			if !ok {
				send(map[string]any{"id": m.ID, "error": map[string]any{"code": -32601, "message": "no replay for " + m.Method}})
			}
			for _, raw := range msgs {
				var v map[string]any
				_ = json.Unmarshal(raw, &v)
				if _, has := v["id"]; has {
					v["id"] = *m.ID
				}
				if p, ok := v["params"].(map[string]any); ok {
					if _, has := p["request_id"]; has {
						p["request_id"] = *m.ID
					}
				}
				send(v)
			}
			continue
		}
		switch m.Method {
		case "initialize":
			if mode == "badinit" {
				fmt.Fprintln(os.Stderr, "cannot initialise: missing library")
				os.Exit(4)
			}
			var p struct {
				Settings map[string]any `json:"settings"`
				LoadedAs string         `json:"loaded_as"`
			}
			_ = json.Unmarshal(m.Params, &p)
			settings, loadedAs = p.Settings, p.LoadedAs
			proto := 1
			if mode == "newproto" {
				proto = 2
			}
			send(map[string]any{"id": m.ID, "result": map[string]any{"protocol": proto, "plugin_version": "0.0.1"}})
			if mode == "daemon" {
				c := exec.Command("setsid", "sleep", "300")
				c.Stdout, c.Stderr = os.Stdout, os.Stderr
				if err := c.Start(); err != nil {
					fmt.Fprintln(os.Stderr, "setsid:", err)
					os.Exit(5)
				}
				fmt.Fprintf(os.Stderr, "child %d\n", c.Process.Pid)
			}
			if mode == "spawn" {
				c := exec.Command("sleep", "300")
				_ = c.Start()
				fmt.Fprintf(os.Stderr, "child %d\n", c.Process.Pid)
			}
		case "health":
			if mode == "secret" {
				send(map[string]any{"id": m.ID, "result": map[string]any{"ok": false, "detail": fmt.Sprintf("key %v expired", settings["AuthKey"])}})
				continue
			}
			send(map[string]any{"id": m.ID, "result": map[string]any{"ok": true, "detail": loadedAs}})
		case "lookup":
			var p struct {
				Items []struct {
					ID, Ioc, IocType string
				} `json:"items"`
			}
			_ = json.Unmarshal(m.Params, &p)
			switch mode {
			case "bare":
				send(map[string]any{"id": m.ID, "result": "everything is fine"})
				continue
			case "crash", "daemon":
				fmt.Fprintln(os.Stderr, "fatal: upstream said 401")
				os.Exit(3)
			case "noisy":
				for _, it := range p.Items {
					if strings.HasSuffix(it.Ioc, ".9") {
						fmt.Fprintln(os.Stderr, "dying on "+it.Ioc)
						os.Exit(3)
					}
					fmt.Fprintln(os.Stderr, "noise for "+it.Ioc)
				}
			case "malformed":
				fmt.Fprintln(out, "hello from a print statement")
				_ = out.Flush()
			case "slow":
				continue
			case "hang":
				for {
					time.Sleep(time.Hour)
				}
			case "cancellable":
				pending = m.ID
				continue
			case "env":
				if problem := envProblem(fmt.Sprint(settings["AuthKey"])); problem != "" {
					send(map[string]any{"id": m.ID, "error": map[string]any{"code": -32000, "message": problem}})
					continue
				}
				wd, _ := os.Getwd()
				res := []map[string]any{}
				for _, it := range p.Items {
					res = append(res, map[string]any{"id": it.ID, "status": "found", "details": map[string]any{"wd": wd, "extra": os.Getenv("EXTRA")}})
				}
				send(map[string]any{"id": m.ID, "result": map[string]any{"results": res}})
				continue
			case "stale":
				if !staleDone["lookup"] {
					staleDone["lookup"] = true
					fmt.Fprintln(out, "not protocol")
					for _, it := range p.Items {
						send(map[string]any{"method": "lookup/result", "params": map[string]any{"request_id": m.ID,
							"result": map[string]any{"id": it.ID, "status": "found", "details": "stale"}}})
					}
					send(map[string]any{"id": m.ID, "result": map[string]any{"results": []any{}}})
					continue
				}
			case "secret":
				fmt.Fprintf(os.Stderr, "using key %v\n", settings["AuthKey"])
				if len(p.Items) > 2 {
					send(map[string]any{"id": m.ID, "result": fmt.Sprintf("key %v is fine", settings["AuthKey"])})
					continue
				}
				if len(p.Items) > 1 {
					send(map[string]any{"id": m.ID, "error": map[string]any{"code": -32000, "message": fmt.Sprintf("key %v refused", settings["AuthKey"]), "data": map[string]any{"kind": "auth"}}})
					continue
				}
			}
			res := make([]map[string]any, len(p.Items))
			for i, it := range p.Items {
				found := strings.HasSuffix(it.Ioc, "0") || strings.HasSuffix(it.Ioc, "2") || strings.HasSuffix(it.Ioc, "4") || strings.HasSuffix(it.Ioc, "6") || strings.HasSuffix(it.Ioc, "8")
				res[i] = map[string]any{"id": it.ID, "status": "found", "found": found, "severity": "high",
					"details": map[string]any{"loaded_as": loadedAs}, "reference": "https://example.test/" + it.Ioc}
				if mode == "secret" {
					res[i]["details"] = map[string]any{"loaded_as": loadedAs, "tried": []any{"key " + fmt.Sprint(settings["AuthKey"])}}
					res[i]["raw"] = fmt.Sprint(settings["AuthKey"])
				}
			}
			send(map[string]any{"id": m.ID, "result": map[string]any{"results": res}})
		case "connect":
			connected = true
			send(map[string]any{"id": m.ID, "result": map[string]any{}})
		case "query":
			var p struct {
				Text  string `json:"text"`
				Limit int    `json:"limit"`
			}
			_ = json.Unmarshal(m.Params, &p)
			if p.Text == "exit" {
				os.Exit(3)
			}
			if rest, ok := strings.CutPrefix(p.Text, "needconn "); ok {
				if !connected {
					send(map[string]any{"id": m.ID, "error": map[string]any{"code": -32000, "message": "query before connect", "data": map[string]any{"kind": "config"}}})
					continue
				}
				p.Text = rest
			}
			n := 3
			fmt.Sscanf(p.Text, "rows %d", &n)
			if mode == "stale" && !staleDone["query"] {
				staleDone["query"] = true
				fmt.Fprintln(out, "not protocol")
			}
			send(map[string]any{"method": "query/columns", "params": map[string]any{"request_id": m.ID,
				"columns": []map[string]string{{"name": "ID", "type": "int"}, {"name": "Env"}, {"name": "At", "type": "time"}}}})
			batch := []any{}
			for i := 0; i < n; i++ {
				batch = append(batch, []any{i, loadedAs, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Format(time.RFC3339)})
				if len(batch) == 2 {
					send(map[string]any{"method": "query/rows", "params": map[string]any{"request_id": m.ID, "rows": batch}})
					batch = nil
				}
			}
			if len(batch) > 0 {
				send(map[string]any{"method": "query/rows", "params": map[string]any{"request_id": m.ID, "rows": batch}})
			}
			send(map[string]any{"id": m.ID, "result": map[string]any{"row_count": n}})
		case "cancel":
			if pending != nil {
				send(map[string]any{"id": pending, "error": map[string]any{"code": -32000, "message": "cancelled", "data": map[string]any{"kind": "timeout"}}})
				pending = nil
			}
		case "shutdown":
			if mode == "noshutdown" || mode == "stubborn" {
				continue
			}
			send(map[string]any{"id": m.ID, "result": map[string]any{}})
			return
		default:
			send(map[string]any{"id": m.ID, "error": map[string]any{"code": -32601, "message": "unknown method " + m.Method, "data": map[string]any{"kind": "unsupported"}}})
		}
	}
	if mode == "noshutdown" || mode == "stubborn" {
		time.Sleep(time.Hour) // stdin is closed; wait to be ended
	}
}

// envProblem says what is wrong with the plugin's environment, or "".
func envProblem(secret string) string {
	for _, kv := range os.Environ() {
		if strings.Contains(kv, secret) {
			return "a setting value is in the environment: " + strings.SplitN(kv, "=", 2)[0]
		}
	}
	if os.Getenv("MSTICGO_PLUGIN") != "1" {
		return "MSTICGO_PLUGIN is not 1"
	}
	return ""
}
