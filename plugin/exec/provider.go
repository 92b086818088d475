package exec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/msticgo/msticgo/lookup"
)

// Provider is a ti or context executable plugin instance.
type Provider struct {
	def  *Definition
	pool *pool
}

// Lookup looks up one item.
func (p *Provider) Lookup(ctx context.Context, item lookup.Item) lookup.Result {
	return p.LookupBatch(ctx, []lookup.Item{item})[0]
}

// LookupBatch sends the items in batches of the plugin's max_batch; each
// item gets its own result, and one failing batch never loses the others.
func (p *Provider) LookupBatch(ctx context.Context, items []lookup.Item) []lookup.Result {
	out := make([]lookup.Result, len(items))
	mb := p.def.Manifest.Limits.MaxBatch
	if mb <= 0 {
		mb = DefaultMaxBatch
	}
	for start := 0; start < len(items); start += mb {
		end := min(start+mb, len(items))
		p.lookupChunk(ctx, items[start:end], out[start:end])
	}
	return out
}

func (p *Provider) lookupChunk(ctx context.Context, items []lookup.Item, out []lookup.Result) {
	wire := make([]WireItem, len(items))
	for i, it := range items {
		v := it.Value
		if v == "" {
			v = it.Ioc
		}
		wire[i] = WireItem{ID: strconv.Itoa(i), Ioc: it.Ioc, IocType: it.Type, QuerySubtype: it.SubType, Value: v}
	}
	done := make([]bool, len(items))
	set := func(w *WireResult) {
		i, err := strconv.Atoi(w.ID)
		if err != nil || i < 0 || i >= len(items) || done[i] {
			return
		}
		done[i] = true
		out[i] = scrubbedResult(p.pool.tail.scrub, w)
	}
	onNote := func(id int64, method string, params json.RawMessage) error {
		if method != NotifyLookupResult {
			return nil
		}
		var n ResultNote
		if err := json.Unmarshal(params, &n); err == nil && forCall(n.RequestID, id) {
			set(&n.Result)
		}
		return nil
	}
	raw, err := p.pool.do(ctx, MethodLookup, LookupParams{Items: wire}, onNote, nil)
	if err == nil {
		var rep LookupReply
		t := bytes.TrimSpace(raw)
		if len(t) == 0 || t[0] != '{' {
			err = fmt.Errorf("plugin %s answered lookup with %s instead of an object {\"results\": [...]}", p.pool.name, p.pool.quote(t, 120))
		} else if uerr := json.Unmarshal(t, &rep); uerr != nil {
			err = fmt.Errorf("plugin %s: lookup reply: %s", p.pool.name, shortJSONErr(uerr))
		} else {
			for i := range rep.Results {
				set(&rep.Results[i])
			}
		}
		for i := range items {
			if !done[i] {
				msg := fmt.Sprintf("plugin %s returned no result for this item", p.pool.name)
				if err != nil {
					msg = err.Error()
				}
				out[i] = lookup.Result{Status: lookup.StatusUnexpected, Severity: lookup.SevUnknown, Message: msg, RawResult: msg}
			}
		}
		return
	}
	st := statusOfErr(ctx, err)
	var retry time.Duration
	var ce *CallError
	if errors.As(err, &ce) && ce.RPC.Data != nil {
		retry = time.Duration(ce.RPC.Data.RetryAfter * float64(time.Second))
	}
	for i := range items {
		if !done[i] {
			out[i] = lookup.Result{Status: st, Severity: lookup.SevUnknown, Message: err.Error(), RawResult: err.Error(), RetryAfter: retry}
		}
	}
}

// scrubbedResult is the lookup result of one item the plugin answered,
// with the plugin's secrets removed.
func scrubbedResult(sc *scrubber, w *WireResult) lookup.Result {
	w.Message, w.Reference = sc.clean(w.Message), sc.clean(w.Reference)
	w.Details, w.Raw = sc.cleanValue(w.Details), sc.cleanValue(w.Raw)
	r := toResult(w)
	// toResult's own messages quote the plugin's text (an unknown status)
	// and are copied into RawResult: clean both.
	r.Message, r.RawResult = sc.clean(r.Message), sc.cleanValue(r.RawResult)
	return r
}

func statusOfErr(ctx context.Context, err error) lookup.Status {
	var ce *CallError
	switch {
	case errors.As(err, &ce):
		return statusOfKind(ce.RPC.Kind())
	case errors.Is(err, context.DeadlineExceeded):
		return lookup.StatusTimeout
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return lookup.StatusTimeout
	}
	var pe *ProtocolError
	if errors.As(err, &pe) {
		return lookup.StatusUnexpected
	}
	return lookup.StatusProviderError
}

func statusOfKind(kind string) lookup.Status {
	switch kind {
	case KindConfig:
		return lookup.StatusNotConfigured
	case KindRateLimited:
		return lookup.StatusRateLimited
	case KindUnsupported:
		return lookup.StatusUnsupported
	case KindTimeout:
		return lookup.StatusTimeout
	}
	return lookup.StatusProviderError
}

func toResult(w *WireResult) lookup.Result {
	r := lookup.Result{
		Severity:   lookup.ParseSeverity(w.Severity),
		Details:    w.Details,
		RawResult:  w.Raw,
		Reference:  w.Reference,
		Message:    w.Message,
		RetryAfter: time.Duration(w.RetryAfter * float64(time.Second)),
	}
	if w.Severity == "" {
		r.Severity = lookup.SevInformation
	}
	switch strings.ToLower(strings.ReplaceAll(strings.TrimSpace(w.Status), " ", "_")) {
	case "found", "ok":
		r.Status, r.Found = lookup.StatusFound, true
		if w.Found != nil {
			r.Found = *w.Found
			if !r.Found {
				r.Status = lookup.StatusNotFound
			}
		}
	case "not_found", "no_data":
		r.Status = lookup.StatusNotFound
	case "unsupported":
		r.Status = lookup.StatusUnsupported
	case "invalid":
		r.Status = lookup.StatusInvalid
	case "not_routable":
		r.Status = lookup.StatusNotRoutable
	case "timeout":
		r.Status = lookup.StatusTimeout
	case "rate_limited":
		r.Status = lookup.StatusRateLimited
	case "not_configured":
		r.Status = lookup.StatusNotConfigured
	case "error":
		r.Status = statusOfKind(w.ErrorKind)
	case "":
		if w.Found != nil {
			r.Found = *w.Found
			r.Status = lookup.StatusNotFound
			if r.Found {
				r.Status = lookup.StatusFound
			}
		} else {
			r.Status = lookup.StatusUnexpected
			r.Message = "plugin result has neither status nor found"
		}
	default:
		r.Status = lookup.StatusUnexpected
		r.Message = fmt.Sprintf("plugin result has unknown status %q", Quote([]byte(w.Status), 60))
	}
	if !r.Status.OK() {
		// Not an answer: no verdict (as every provider's error rows).
		r.Severity = lookup.SevUnknown
	}
	if !r.Status.OK() && r.Message == "" {
		r.Message = r.Status.String()
	}
	if !r.Status.OK() && r.RawResult == nil {
		r.RawResult = r.Message
	}
	return r
}

// SupportedTypes returns the manifest's ioc_types (nil: every type).
func (p *Provider) SupportedTypes() []string {
	return append([]string(nil), p.def.Manifest.IocTypes...)
}

// Limits returns the manifest's limits.
func (p *Provider) Limits() lookup.Limits { return p.def.limits() }

// limits are the manifest's limits with the plugin defaults filled in.
func (d *Definition) limits() lookup.Limits {
	l := d.Manifest.Limits
	conc := l.Concurrency
	if conc <= 0 {
		conc = 1
	}
	mb := l.MaxBatch
	if mb <= 0 {
		mb = DefaultMaxBatch
	}
	ct, st := l.CallTimeout.D(), l.StartTimeout.D()
	if ct <= 0 {
		ct = DefaultCallTimeout
	}
	if st <= 0 {
		st = DefaultStartTimeout
	}
	return lookup.Limits{
		Concurrency: conc,
		PerSecond:   l.RateLimit.PerSecond,
		PerMinute:   l.RateLimit.PerMinute,
		Burst:       l.RateLimit.Burst,
		// A first call also starts the process.
		Timeout:  ct + st,
		MaxBatch: mb,
	}
}

// Health asks the plugin for its health, starting it if needed.
func (p *Provider) Health(ctx context.Context) error { return health(ctx, p.pool) }

// Unavailable returns why the plugin stopped being used, or nil.
func (p *Provider) Unavailable() error { return p.pool.Unavailable() }

// Close ends the instance's processes.
func (p *Provider) Close() error { return p.pool.Close() }

var (
	_ lookup.Provider      = (*Provider)(nil)
	_ lookup.BatchProvider = (*Provider)(nil)
	_ lookup.TypeSupporter = (*Provider)(nil)
	_ lookup.Limiter       = (*Provider)(nil)
)

func jsonUnmarshal(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return errors.New(shortJSONErr(err))
	}
	return nil
}
