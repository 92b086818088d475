package httpprov

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/msticgo/msticgo/lookup"
)

// listRetryAfterError is how long a failed download is remembered before the
// next item tries again (so 50,000 items do not mean 50,000 failed fetches).
const listRetryAfterError = 30 * time.Second

// lookupList answers from the downloaded list (mode list).
func (p *Provider) lookupList(ctx context.Context, item lookup.Item, obs string) lookup.Result {
	supported := false
	for _, t := range p.def.Types {
		if t == item.Type {
			supported = true
		}
	}
	if !supported || item.SubType != "" {
		msg := fmt.Sprintf("Type %s not supported.", item.Type)
		return lookup.Result{Status: lookup.StatusUnsupported, Severity: lookup.SevUnknown, Details: msg, Message: msg}
	}
	entries, ref, err := p.listEntries(ctx)
	var empty *emptyListError
	if errors.As(err, &empty) {
		why := "the list has no entries"
		if empty.excerpt == "" {
			why = "empty body"
		}
		return p.unexpected(lookup.Result{Reference: ref}, why, []byte(empty.excerpt))
	}
	if err != nil {
		r := p.transportError(ctx, err)
		if r.Status == lookup.StatusProviderError {
			r.Message = p.redact(fmt.Sprintf("%s: cannot load its list: %v", p.name, err))
			r.Details, r.RawResult = r.Message, r.Message
		}
		r.Reference = ref
		return r
	}
	key := normaliseKey(p.def.List.Key, obs)
	var entry any
	if e, ok := entries[key]; ok {
		entry = e
	}
	env := Env{Response: entry, Status: http.StatusOK, Observable: obs, IocType: item.Type,
		SubType: item.SubType, URL: ref, BaseURL: p.redact(p.base)}
	rl := p.def.compiled.listRules
	res := lookup.Result{Reference: ref, Severity: lookup.SevUnknown}
	if rl.found == nil && entry == nil {
		return p.notFoundWith(res, rl, &env)
	}
	res = p.apply(rl, &env, res, nil)
	if entry == nil && res.Status == lookup.StatusFound && rl.found == nil {
		return p.notFoundWith(res, rl, &env)
	}
	return res
}

func normaliseKey(mode, s string) string {
	s = strings.TrimSpace(s)
	switch mode {
	case "ip":
		if a, err := netip.ParseAddr(s); err == nil {
			return a.Unmap().String()
		}
		return strings.ToLower(s)
	case "lower":
		return strings.ToLower(s)
	}
	return s
}

// listEntries returns the cached list, downloading it on first use or when
// older than the TTL. One download runs at a time; other callers wait for it.
func (p *Provider) listEntries(ctx context.Context) (map[string]map[string]any, string, error) {
	c := p.list
	c.mu.Lock()
	defer c.mu.Unlock()
	now := p.nowFn()
	if c.entries != nil && now.Sub(c.loaded) < p.def.List.ttl {
		return c.entries, c.source, nil
	}
	if c.lastErr != nil && now.Sub(c.errAt) < listRetryAfterError && c.entries == nil {
		return nil, c.source, c.lastErr
	}
	var firstErr error
	rv := &renderVars{settings: p.vars}
	for i, src := range p.def.List.Sources {
		u := p.def.compiled.listSrc[i].render(rv, false)
		if src.Path != "" {
			u = strings.TrimRight(p.base, "/") + "/" + strings.TrimLeft(u, "/")
		}
		ref := p.redact(stripQuery(u))
		entries, err := p.download(ctx, u, src)
		if err == nil {
			c.entries, c.loaded, c.source, c.lastErr = entries, now, ref, nil
			p.log.Info("list loaded", "source", ref, "entries", len(entries))
			return entries, ref, nil
		}
		p.log.Warn("list source failed", "source", ref, "error", p.redact(err.Error()))
		if firstErr == nil {
			firstErr = err
			c.source = ref
		}
	}
	if c.entries != nil {
		// Keep serving the stale list rather than failing every item.
		p.log.Warn("serving a stale list", "age", now.Sub(c.loaded))
		return c.entries, c.source, nil
	}
	if ctx.Err() == nil {
		c.lastErr, c.errAt = firstErr, now
	}
	return nil, c.source, firstErr
}

func (p *Provider) download(ctx context.Context, u string, src ListSource) (map[string]map[string]any, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", p.ua)
	for _, kv := range p.def.compiled.headers {
		rv := &renderVars{settings: p.vars}
		if !kv.val.usesOnlyUnset(rv) {
			req.Header.Set(kv.key, kv.val.render(rv, false))
		}
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	body, tooBig, err := readLimited(resp.Body, p.maxSize)
	if err != nil {
		return nil, err
	}
	if tooBig {
		return nil, fmt.Errorf("list larger than %d bytes", p.maxSize)
	}
	entries := parseList(body, src, p.def.List.Key)
	if len(entries) == 0 {
		// A 2xx answer that is not the list (a maintenance page, an empty
		// body): the items get "unexpected response" with an excerpt.
		return nil, &emptyListError{excerpt: p.excerpt(body)}
	}
	return entries, nil
}

// emptyListError is a list source that answered 2xx with nothing usable.
type emptyListError struct{ excerpt string }

func (e *emptyListError) Error() string {
	return "the answer holds no list entries: " + e.excerpt
}

// parseList reads a list body. lines: the first token of each non-empty,
// non-comment line is a key. stanzas: "Key value..." lines; a Start line
// begins a record, each Emit line adds its first token as a key sharing
// the record (several keys may share one).
func parseList(body []byte, src ListSource, keyMode string) map[string]map[string]any {
	out := map[string]map[string]any{}
	var rec map[string]any
	// every line, however long (the body is in memory: no scanner limit
	// that would silently drop the rest of the list)
	for raw := range bytes.SplitSeq(body, []byte("\n")) {
		line := strings.TrimSpace(string(raw))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		switch src.Format {
		case "lines":
			if keyMode == "ip" {
				if _, err := netip.ParseAddr(fields[0]); err != nil {
					continue
				}
			}
			out[normaliseKey(keyMode, fields[0])] = map[string]any{"value": fields[0]}
		case "stanzas":
			if len(fields) < 2 {
				continue
			}
			switch fields[0] {
			case src.Start:
				rec = map[string]any{src.Start: fields[1]}
			case src.Emit:
				if keyMode == "ip" {
					if _, err := netip.ParseAddr(fields[1]); err != nil {
						continue
					}
				}
				if rec == nil {
					rec = map[string]any{}
				}
				e := make(map[string]any, len(rec)+1)
				for k, v := range rec {
					e[k] = v
				}
				e[src.Emit] = fields[1]
				out[normaliseKey(keyMode, fields[1])] = e
			default:
				if rec != nil {
					rec[fields[0]] = fields[1]
				}
			}
		}
	}
	return out
}
