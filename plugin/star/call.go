package star

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"go.starlark.net/starlark"

	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/internal/redact"
	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/table"
)

type instance struct {
	script   *Script
	globals  starlark.StringDict
	settings *starlark.Dict
	log      *slog.Logger
	http     *httpConfig
	secrets  []string

	redactOnce sync.Once
	redactor   *redact.Replacer
}

// call runs fn with a fresh thread bounded by the step limit and ctx.
func (in *instance) call(ctx context.Context, name string, args starlark.Tuple) (starlark.Value, error) {
	fn, ok := in.globals[name].(*starlark.Function)
	if !ok {
		return nil, &Error{Path: in.script.Path, Msg: "no function " + name}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	thread := &starlark.Thread{Name: name, Print: in.print}
	steps := in.script.MaxSteps
	if steps == 0 {
		steps = DefaultMaxSteps
	}
	thread.SetMaxExecutionSteps(steps)
	thread.SetLocal(localCtx, ctx)
	thread.SetLocal(localHTTP, in.http)
	stop := context.AfterFunc(ctx, func() { thread.Cancel(ctx.Err().Error()) })
	defer stop()
	v, err := starlark.Call(thread, fn, args, nil)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %s: %w", in.script.Path, name, ctx.Err())
		}
		return nil, in.scrub(positionError(in.script.Path, err))
	}
	return v, nil
}

// print is the script's print() during a call: one info line in the
// instance's log, secret setting values replaced by ***.
func (in *instance) print(_ *starlark.Thread, msg string) {
	in.log.Info("starlark print", "plugin", in.script.Path, "message", in.scrubText(msg))
}

// scrubValue replaces secret values in every string of a converted
// result value (details, raw), in place.
func (in *instance) scrubValue(v any) any {
	if len(in.secrets) == 0 {
		return v
	}
	switch x := v.(type) {
	case string:
		return in.scrubText(x)
	case []any:
		for i := range x {
			x[i] = in.scrubValue(x[i])
		}
	case map[string]any:
		for k, e := range x {
			x[k] = in.scrubValue(e)
		}
	}
	return v
}

// scrubText replaces secret values by the rule of package redact: secrets
// of 4 characters or more, where they stand as a whole token, in any ASCII
// case, plain or encoded (URL, JSON, base64).
func (in *instance) scrubText(s string) string {
	in.redactOnce.Do(func() { in.redactor = redact.NewEncoded(in.secrets...) })
	return in.redactor.Replace(s)
}

func (in *instance) scrub(err error) error {
	if len(in.secrets) == 0 {
		return err
	}
	msg := err.Error()
	clean := in.scrubText(msg)
	if clean == msg {
		return err
	}
	return errors.New(clean)
}

// Provider is a Starlark ti or context provider instance.
type Provider struct{ inst *instance }

// Lookup calls the script's lookup(ioc, ioc_type, settings[, query_subtype]).
func (p *Provider) Lookup(ctx context.Context, item lookup.Item) lookup.Result {
	v := item.Value
	if v == "" {
		v = item.Ioc
	}
	args := starlark.Tuple{starlark.String(v), starlark.String(item.Type), p.inst.settings}
	if p.inst.globals["lookup"].(*starlark.Function).NumParams() == 4 {
		var sub starlark.Value = starlark.None
		if item.SubType != "" {
			sub = starlark.String(item.SubType)
		}
		args = append(args, sub)
	}
	res, err := p.inst.call(ctx, "lookup", args)
	if err != nil {
		st := lookup.StatusProviderError
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			st = lookup.StatusTimeout
		}
		return lookup.Result{Status: st, Severity: lookup.SevUnknown, Message: err.Error(), RawResult: err.Error()}
	}
	r := toResult(p.inst.script.Path, res)
	if r.Message != "" {
		r.Message = p.inst.scrubText(r.Message)
	}
	r.Reference = p.inst.scrubText(r.Reference)
	r.Details, r.RawResult = p.inst.scrubValue(r.Details), p.inst.scrubValue(r.RawResult)
	return r
}

func toResult(path string, v starlark.Value) lookup.Result {
	if v == starlark.None {
		return lookup.Result{Status: lookup.StatusNotFound, Severity: lookup.SevInformation}
	}
	d, ok := v.(*starlark.Dict)
	if !ok {
		msg := fmt.Sprintf("%s: lookup returned %s %s, want a dict or None", path, v.Type(), shorten(v.String()))
		return lookup.Result{Status: lookup.StatusUnexpected, Severity: lookup.SevUnknown, Message: msg, RawResult: msg}
	}
	gv, err := toGo(d)
	if err != nil {
		msg := fmt.Sprintf("%s: lookup result: %v", path, err)
		return lookup.Result{Status: lookup.StatusUnexpected, Severity: lookup.SevUnknown, Message: msg, RawResult: msg}
	}
	m := gv.(map[string]any)
	r := lookup.Result{Severity: lookup.SevInformation, Details: m["details"], RawResult: m["raw"]}
	badSeverity := ""
	if sv, ok := m["severity"]; ok && sv != nil {
		s, isStr := sv.(string)
		r.Severity = lookup.ParseSeverity(s)
		if !isStr {
			badSeverity = shorten(fmt.Sprint(sv))
		} else if r.Severity == lookup.SevUnknown && !strings.EqualFold(strings.TrimSpace(s), "unknown") {
			badSeverity = strconv.Quote(shorten(s))
		}
	}
	if s, ok := m["reference"].(string); ok {
		r.Reference = s
	}
	if s, ok := m["message"].(string); ok {
		r.Message = s
	}
	found, hasFound := m["found"].(bool)
	status, _ := m["status"].(string)
	switch strings.ToLower(strings.ReplaceAll(status, " ", "_")) {
	case "":
		r.Status, r.Found = lookup.StatusFound, true
		if hasFound && !found {
			r.Status, r.Found = lookup.StatusNotFound, false
		}
	case "found", "ok":
		r.Status, r.Found = lookup.StatusFound, !hasFound || found
	case "not_found":
		r.Status = lookup.StatusNotFound
	case "unsupported":
		r.Status = lookup.StatusUnsupported
	case "invalid":
		r.Status = lookup.StatusInvalid
	case "rate_limited":
		r.Status = lookup.StatusRateLimited
	case "timeout":
		r.Status = lookup.StatusTimeout
	case "error":
		r.Status = lookup.StatusProviderError
	default:
		r.Status = lookup.StatusUnexpected
		r.Message = fmt.Sprintf("%s: lookup returned unknown status %q", path, status)
	}
	if badSeverity != "" && r.Status.OK() {
		r.Status, r.Found = lookup.StatusUnexpected, false
		r.Message = fmt.Sprintf(`%s: lookup returned unknown severity %s, want "information", "warning", "high" or "unknown"`, path, badSeverity)
	}
	if !r.Status.OK() {
		// Not an answer: no verdict, whatever the script said (as every
		// provider's error rows).
		r.Severity = lookup.SevUnknown
	}
	if r.RawResult == nil {
		r.RawResult = m
	}
	return r
}

// SupportedTypes returns SUPPORTED (nil: every type).
func (p *Provider) SupportedTypes() []string {
	return append([]string(nil), p.inst.script.Supported...)
}

var (
	_ lookup.Provider      = (*Provider)(nil)
	_ lookup.TypeSupporter = (*Provider)(nil)
)

// Driver is a Starlark data driver instance.
type Driver struct {
	inst *instance
}

// Connect calls connect(settings) when the script defines it; the
// connection string is in settings["connection_string"].
func (d *Driver) Connect(ctx context.Context, connStr string) error {
	if _, ok := d.inst.globals["connect"].(*starlark.Function); !ok {
		return nil
	}
	s := starlark.NewDict(d.inst.settings.Len() + 1)
	for _, kv := range d.inst.settings.Items() {
		_ = s.SetKey(kv[0], kv[1])
	}
	_ = s.SetKey(starlark.String("connection_string"), starlark.String(connStr))
	s.Freeze()
	_, err := d.inst.call(ctx, "connect", starlark.Tuple{s})
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	return nil
}

// Query calls query(text, params) with params {"args": [...], "limit": n,
// "settings": {...}}. The script returns a list of dicts or a dict
// {"columns": [...], "rows": [[...], ...]}.
func (d *Driver) Query(ctx context.Context, q data.Query) (*data.Result, error) {
	params := starlark.NewDict(3)
	args := make([]starlark.Value, 0, len(q.Args))
	for _, a := range q.Args {
		args = append(args, toStarlark(a))
	}
	_ = params.SetKey(starlark.String("args"), starlark.NewList(args))
	_ = params.SetKey(starlark.String("limit"), starlark.MakeInt(q.Limit))
	_ = params.SetKey(starlark.String("settings"), d.inst.settings)
	v, err := d.inst.call(ctx, "query", starlark.Tuple{starlark.String(q.Text), params})
	if err != nil {
		return nil, err
	}
	f, err := frameOf(v)
	if err != nil {
		return nil, fmt.Errorf("%s: query result: %w", d.inst.script.Path, err)
	}
	trunc := false
	if q.Limit > 0 && f.Len() > q.Limit {
		f.Rows, trunc = f.Rows[:q.Limit], true
	}
	return &data.Result{Frame: f, Truncated: trunc}, nil
}

var _ data.Driver = (*Driver)(nil)

// frameOf reads a list of dicts (columns in first-seen key order) or a
// dict {"columns": [...], "rows": [[...], ...]}.
func frameOf(v starlark.Value) (*table.Frame, error) {
	switch x := v.(type) {
	case starlark.NoneType:
		return &table.Frame{}, nil
	case *starlark.List, starlark.Tuple:
		seq := x.(starlark.Indexable)
		f := &table.Frame{}
		idx := map[string]int{}
		type kv struct {
			col int
			val any
		}
		rows := make([][]kv, 0, seq.Len())
		for i := 0; i < seq.Len(); i++ {
			d, ok := seq.Index(i).(*starlark.Dict)
			if !ok {
				return nil, fmt.Errorf("row %d is %s, want a dict", i+1, seq.Index(i).Type())
			}
			var row []kv
			for _, item := range d.Items() {
				k, ok := starlark.AsString(item[0])
				if !ok {
					k = item[0].String()
				}
				c, seen := idx[k]
				if !seen {
					c = len(f.Columns)
					idx[k] = c
					f.Columns = append(f.Columns, table.Column{Name: k, Type: table.Any})
				}
				g, err := toGo(item[1])
				if err != nil {
					return nil, err
				}
				row = append(row, kv{c, g})
			}
			rows = append(rows, row)
		}
		for _, r := range rows {
			out := make([]any, len(f.Columns))
			for _, e := range r {
				out[e.col] = e.val
			}
			f.Rows = append(f.Rows, out)
		}
		return f, nil
	case *starlark.Dict:
		gv, err := toGo(x)
		if err != nil {
			return nil, err
		}
		m := gv.(map[string]any)
		cols, ok := m["columns"].([]any)
		if !ok {
			return nil, fmt.Errorf(`want a list of dicts or {"columns": [...], "rows": [...]}`)
		}
		f := &table.Frame{}
		for _, c := range cols {
			f.Columns = append(f.Columns, table.Column{Name: fmt.Sprint(c), Type: table.Any})
		}
		rows, _ := m["rows"].([]any)
		for i, r := range rows {
			row, ok := r.([]any)
			if !ok || len(row) != len(cols) {
				return nil, fmt.Errorf("row %d: want a list of %d values", i+1, len(cols))
			}
			f.Rows = append(f.Rows, row)
		}
		return f, nil
	}
	return nil, fmt.Errorf("query returned %s, want a list of dicts", v.Type())
}

// Bounds of a converted result: how deep containers may nest and how
// many values one result may hold. A script can build a dict or list that
// contains itself, or a small value that shares one list many times over;
// both are refused with an error instead of recursing without end.
const (
	maxValueDepth  = 100
	maxValueNodes  = 1_000_000
	errValueCyclic = "a dict or list that contains itself"
)

// toGo converts a Starlark value to plain Go values (nil, bool, int64,
// float64, string, []any, map[string]any). It fails on a value that
// contains itself, nests deeper than maxValueDepth or holds more than
// maxValueNodes values.
func toGo(v starlark.Value) (any, error) {
	c := &converter{open: map[starlark.Value]bool{}}
	return c.conv(v, 0)
}

// converter carries the containers being converted (the path from the
// root) and the count of values converted so far.
type converter struct {
	open  map[starlark.Value]bool
	nodes int
}

func (c *converter) enter(v starlark.Value, depth int) error {
	if c.open[v] {
		return fmt.Errorf("the value holds %s", errValueCyclic)
	}
	if depth >= maxValueDepth {
		return fmt.Errorf("the value nests deeper than %d levels", maxValueDepth)
	}
	c.open[v] = true
	return nil
}

func (c *converter) conv(v starlark.Value, depth int) (any, error) {
	c.nodes++
	if c.nodes > maxValueNodes {
		return nil, fmt.Errorf("the value holds more than %d values", maxValueNodes)
	}
	switch x := v.(type) {
	case starlark.NoneType:
		return nil, nil
	case starlark.Bool:
		return bool(x), nil
	case starlark.Int:
		if i, ok := x.Int64(); ok {
			return i, nil
		}
		return x.BigInt().String(), nil
	case starlark.Float:
		return float64(x), nil
	case starlark.String:
		return string(x), nil
	case starlark.Bytes:
		return string(x), nil
	case *starlark.List:
		if err := c.enter(x, depth); err != nil {
			return nil, err
		}
		defer delete(c.open, x)
		out := make([]any, x.Len())
		for i := range out {
			e, err := c.conv(x.Index(i), depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	case starlark.Tuple:
		// A tuple cannot contain itself except through a list or dict,
		// which enter catches; only its depth counts.
		if depth >= maxValueDepth {
			return nil, fmt.Errorf("the value nests deeper than %d levels", maxValueDepth)
		}
		out := make([]any, len(x))
		for i := range x {
			e, err := c.conv(x[i], depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	case *starlark.Dict:
		if err := c.enter(x, depth); err != nil {
			return nil, err
		}
		defer delete(c.open, x)
		out := make(map[string]any, x.Len())
		for _, kv := range x.Items() {
			k, ok := starlark.AsString(kv[0])
			if !ok {
				k = kv[0].String()
			}
			e, err := c.conv(kv[1], depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = e
		}
		return out, nil
	case *starlark.Set:
		if err := c.enter(x, depth); err != nil {
			return nil, err
		}
		defer delete(c.open, x)
		var out []any
		iter := x.Iterate()
		defer iter.Done()
		var e starlark.Value
		for iter.Next(&e) {
			g, err := c.conv(e, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, g)
		}
		return out, nil
	}
	return v.String(), nil
}

func toStarlark(v any) starlark.Value {
	switch x := v.(type) {
	case nil:
		return starlark.None
	case bool:
		return starlark.Bool(x)
	case int:
		return starlark.MakeInt(x)
	case int64:
		return starlark.MakeInt64(x)
	case float64:
		return starlark.Float(x)
	case string:
		return starlark.String(x)
	case time.Time:
		return starlark.String(x.UTC().Format(time.RFC3339Nano))
	case *big.Int:
		return starlark.MakeBigInt(x)
	case []any:
		l := make([]starlark.Value, len(x))
		for i := range x {
			l[i] = toStarlark(x[i])
		}
		return starlark.NewList(l)
	case map[string]any:
		d := starlark.NewDict(len(x))
		for k, e := range x {
			_ = d.SetKey(starlark.String(k), toStarlark(e))
		}
		return d
	}
	return starlark.String(fmt.Sprint(v))
}

// shorten cuts s to at most 80 bytes, at a character boundary.
func shorten(s string) string {
	if len(s) <= 80 {
		return s
	}
	n := 80
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
