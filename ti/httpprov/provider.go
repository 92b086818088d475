package httpprov

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/expr-lang/expr/vm"
	"golang.org/x/net/http/httpproxy"

	"github.com/msticgo/msticgo/internal/redact"
	"github.com/msticgo/msticgo/lookup"
	"github.com/msticgo/msticgo/registry"
)

// Version is sent in the User-Agent header (msticgo/<Version>). It defaults
// to the main module's version from the build information.
var Version = func() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return strings.TrimPrefix(bi.Main.Version, "v")
	}
	return "dev"
}()

// excerptLen bounds the body excerpt quoted in messages.
const excerptLen = 200

// MissingSettingError is returned by the factory when a required setting is
// absent or empty; the lookup engine reports such a provider as "not
// configured" and makes no call. It never carries a setting's value.
type MissingSettingError struct {
	Provider string
	Settings []string
}

func (e *MissingSettingError) Error() string {
	return fmt.Sprintf("%s: not configured: missing required setting %s (Args: {%s: ...} in its config entry)",
		e.Provider, strings.Join(e.Settings, ", "), e.Settings[0])
}

// NotConfigured marks the error for callers that branch without importing
// this package (interface{ NotConfigured() bool }).
func (e *MissingSettingError) NotConfigured() bool { return true }

// NotConfiguredReason is the reason without the provider name, for the
// lookup engine's "not configured: <reason>" status:
// "missing required setting AuthKey".
func (e *MissingSettingError) NotConfiguredReason() string {
	if len(e.Settings) == 1 {
		return "missing required setting " + e.Settings[0]
	}
	return "missing required settings " + strings.Join(e.Settings, ", ")
}

// engineSettings are Args the lookup engine reads (limit overrides); they
// are accepted silently by every provider.
var engineSettings = map[string]bool{"ratelimit": true, "burst": true, "concurrency": true,
	"dailyquota": true, "retries": true, "maxbatch": true}

// ErrBadSetting wraps setting values that cannot be used (a BaseURL that is
// not an http(s) URL, a timeout that is not a duration).
var ErrBadSetting = errors.New("bad provider setting")

// Provider is one configured instance of a Definition. It implements
// lookup.Provider, lookup.TypeSupporter and lookup.Limiter and is safe for
// concurrent use.
type Provider struct {
	def      *Definition
	name     string // the config entry name (results carry it)
	vars     map[string]string
	secrets  []string // non-empty secret values, longest first
	redactor *redact.Replacer
	base     string
	client   *http.Client
	timeout  time.Duration
	maxSize  int64
	log      *slog.Logger
	ua       string
	list     *listCache
	nowFn    func() time.Time
	baseHost string
}

// Registration returns the registry entry for this definition; its factory
// builds a Provider from the entry's settings. Plugins pass
// registry.PluginSource(path); built-ins pass registry.Builtin.
func (d *Definition) Registration(source registry.Source) registry.Registration {
	return registry.Registration{
		Kind:        d.Kind,
		Name:        d.Name,
		Aliases:     append([]string(nil), d.Aliases...),
		Description: d.Description,
		Version:     d.Version,
		Source:      source,
		Override:    d.Override,
		Factory: func(ctx context.Context, args registry.FactoryArgs) (any, error) {
			return d.New(args)
		},
		Meta: d.Meta(),
	}
}

// Meta describes the definition for listings: "ioc_types" ([]string),
// "settings", "required", "secrets" ([]string), "base_url", "mode",
// "definition" (the file). "settings_complete" (true) says "settings"
// names every setting the provider reads (BaseURL and timeout included):
// any other Args key, apart from the engine's limit keys, is ignored.
func (d *Definition) Meta() map[string]any {
	var settings, required, secrets []string
	for _, s := range d.Settings {
		settings = append(settings, s.Name)
		if s.Required {
			required = append(required, s.Name)
		}
		if s.Secret {
			secrets = append(secrets, s.Name)
		}
	}
	return map[string]any{
		"ioc_types": d.SupportedTypes(), "settings": settings, "required": required,
		"secrets": secrets, "base_url": d.BaseURL, "mode": d.Mode, "definition": d.File,
		"limits": d.limits(), "settings_complete": true,
	}
}

// SupportedTypes lists the query keys (type or type-subtype) and aliased
// types, sorted.
func (d *Definition) SupportedTypes() []string {
	set := map[string]bool{}
	if d.Mode == "list" {
		for _, t := range d.Types {
			set[t] = true
		}
	}
	for k := range d.Queries {
		set[k] = true
	}
	for from, to := range d.TypeAliases {
		set[from] = true
		_, sub, ok := strings.Cut(to, "-")
		if ok {
			set[from+"-"+sub] = true
		}
		// An alias of a type also carries that type's sub-types.
		for k := range d.Queries {
			if t, s, ok := strings.Cut(k, "-"); ok && t == to {
				set[from+"-"+s] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (d *Definition) limits() lookup.Limits {
	l := d.Limits
	return lookup.Limits{
		Concurrency: l.Concurrency, PerSecond: l.PerSecond, PerMinute: l.PerMinute,
		Burst: l.Burst, DailyQuota: l.DailyQuota, Timeout: l.timeout,
		MaxBatch: l.MaxBatch, Retries: l.Retries,
	}
}

// New builds a provider instance from factory arguments. A missing required
// setting is a *MissingSettingError.
func (d *Definition) New(args registry.FactoryArgs) (*Provider, error) {
	log := args.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	name := args.Entry
	if name == "" {
		name = d.Name
	}
	p := &Provider{
		def: d, name: name, vars: map[string]string{}, log: log, // the caller's logger names the entry
		maxSize: d.Limits.maxSize, timeout: d.Limits.timeout, nowFn: time.Now,
		ua: "msticgo/" + Version,
	}
	if p.maxSize <= 0 {
		p.maxSize = DefaultMaxResponseSize
	}
	// Settings are matched case-insensitively to the declared names.
	declared := map[string]Setting{}
	for _, s := range d.Settings {
		declared[strings.ToLower(s.Name)] = s
		if s.Default != "" {
			p.vars[s.Name] = s.Default
		}
	}
	var unknown []string
	for k, v := range args.Settings {
		v = strings.TrimSpace(v)
		s, ok := declared[strings.ToLower(k)]
		if (args.Secrets[k] || (ok && s.Secret)) && v != "" {
			// Redacted even when this provider does not use it.
			p.secrets = append(p.secrets, v)
		}
		if !ok {
			if !engineSettings[strings.ToLower(k)] {
				unknown = append(unknown, k)
			}
			continue
		}
		if v != "" {
			p.vars[s.Name] = v
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		p.log.Warn("settings not used by this provider are ignored", "settings", unknown)
	}
	var missing []string
	for _, s := range d.Settings {
		if s.Required && p.vars[s.Name] == "" {
			missing = append(missing, s.Name)
		}
	}
	if len(missing) > 0 {
		return nil, &MissingSettingError{Provider: name, Settings: missing}
	}
	sort.Slice(p.secrets, func(i, j int) bool { return len(p.secrets[i]) > len(p.secrets[j]) })
	var forms []string
	for _, sec := range p.secrets {
		forms = append(forms, redact.Forms(sec)...)
	}
	if c := d.compiled; c.basicUser != nil {
		// The Authorization header carries base64(user:password), which a
		// service may echo back; the password is a secret whatever its
		// setting says.
		rv := &renderVars{settings: p.vars}
		user, pass := c.basicUser.render(rv, false), c.basicPass.render(rv, false)
		forms = append(forms, redact.Forms(pass)...)
		forms = append(forms, redact.Base64Forms(user+":"+pass)...)
	}
	p.redactor = redact.New(forms...)
	if t := p.vars["timeout"]; t != "" {
		to, err := parseDurationSetting(t)
		if err != nil || to <= 0 {
			return nil, fmt.Errorf("%s: setting timeout %q: %w (want seconds or a duration such as 30s)", name, t, ErrBadSetting)
		}
		p.timeout = to
	} else if args.HTTPTimeout > 0 {
		p.timeout = args.HTTPTimeout // msticpy.http_timeout
	}
	if p.timeout <= 0 {
		p.timeout = DefaultTimeout
	}
	rv := &renderVars{settings: p.vars}
	if b := p.vars["BaseURL"]; b != "" {
		p.base = b
	} else if d.compiled.base != nil {
		p.base = d.compiled.base.render(rv, false)
	}
	if p.base != "" {
		u, err := url.Parse(p.base)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("%s: base URL %q: %w (want an http(s) URL)", name, p.redact(p.base), ErrBadSetting)
		}
		p.baseHost = u.Host
	}
	conc := d.Limits.Concurrency
	if conc <= 0 {
		conc = 8
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	// HTTPS_PROXY / HTTP_PROXY / NO_PROXY, read when the provider is built
	// (http.ProxyFromEnvironment reads them once per process).
	// msticpy.Proxies, when the config has them, replace the environment.
	proxyCfg := httpproxy.FromEnvironment()
	if len(args.Proxies) > 0 {
		proxyCfg = &httpproxy.Config{}
		for scheme, u := range args.Proxies {
			switch strings.TrimSuffix(strings.ToLower(scheme), "://") {
			case "https":
				proxyCfg.HTTPSProxy = u
			case "http":
				proxyCfg.HTTPProxy = u
			case "all":
				proxyCfg.HTTPProxy, proxyCfg.HTTPSProxy = u, u
			}
		}
	}
	proxy := proxyCfg.ProxyFunc()
	tr.Proxy = func(r *http.Request) (*url.URL, error) { return proxy(r.URL) }
	// Keep enough idle connections for the concurrency a config override
	// may raise: a closed connection per call costs more than the call.
	tr.MaxIdleConnsPerHost = max(2*conc, 32)
	tr.ResponseHeaderTimeout = p.timeout
	p.client = &http.Client{
		Transport: tr,
		// Never follow a redirect to another host: headers carry keys.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			if req.URL.Host != via[0].URL.Host {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
	if d.Mode == "list" {
		p.list = &listCache{}
	}
	return p, nil
}

// Name is the entry name results carry.
func (p *Provider) Name() string { return p.name }

// SupportedTypes implements lookup.TypeSupporter.
func (p *Provider) SupportedTypes() []string { return p.def.SupportedTypes() }

// Limits implements lookup.Limiter.
func (p *Provider) Limits() lookup.Limits {
	l := p.def.limits()
	l.Timeout = p.timeout
	return l
}

// Close releases idle connections.
func (p *Provider) Close() error {
	p.client.CloseIdleConnections()
	return nil
}

// resolve finds the query for a type and sub-type.
func (p *Provider) resolve(typ, sub string) (*compiledQuery, bool) {
	qs := p.def.compiled.queries
	try := func(t string) (*compiledQuery, bool) {
		k := t
		if sub != "" {
			k = t + "-" + sub
		}
		q, ok := qs[k]
		return q, ok
	}
	if q, ok := try(typ); ok {
		return q, true
	}
	if to, ok := p.def.TypeAliases[typ]; ok {
		if q, ok := try(to); ok {
			return q, true
		}
	}
	return nil, false
}

// Lookup implements lookup.Provider. It never panics on outside input and
// never returns a secret in any field.
func (p *Provider) Lookup(ctx context.Context, item lookup.Item) (res lookup.Result) {
	defer func() {
		if r := recover(); r != nil {
			res = lookup.Result{Status: lookup.StatusProviderError, Severity: lookup.SevUnknown,
				Message: p.redact(fmt.Sprintf("internal error in provider %s: %v", p.name, r))}
			p.log.Error("lookup panicked", "type", item.Type, "error", res.Message)
		}
	}()
	obs := item.Value
	if obs == "" {
		obs = item.Ioc
	}
	if p.list != nil {
		return p.lookupList(ctx, item, obs)
	}
	q, ok := p.resolve(item.Type, item.SubType)
	if !ok {
		msg := fmt.Sprintf("Type %s not supported.", item.Type)
		if item.SubType != "" {
			msg = fmt.Sprintf("Type %s with query sub-type %s not supported.", item.Type, item.SubType)
		}
		return lookup.Result{Status: lookup.StatusUnsupported, Severity: lookup.SevUnknown, Details: msg, Message: msg}
	}
	if _, has := ctx.Deadline(); !has {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.timeout)
		defer cancel()
	}
	rv := &renderVars{observable: obs, iocType: item.Type, subType: item.SubType, settings: p.vars}
	req, ref, err := p.buildRequest(ctx, q, rv)
	if err != nil {
		msg := p.redact(err.Error())
		return lookup.Result{Status: lookup.StatusInvalid, Severity: lookup.SevUnknown, Details: msg, Message: msg}
	}
	start := time.Now()
	resp, err := p.client.Do(req)
	if err != nil {
		r := p.transportError(ctx, err)
		r.Reference = ref
		p.log.Debug("lookup failed", "type", item.Type, "reference", ref, "status", r.Status.String(), "error", r.Message)
		return r
	}
	defer resp.Body.Close()
	body, tooBig, err := readLimited(resp.Body, p.maxSize)
	if err != nil {
		r := p.transportError(ctx, err)
		r.Reference = ref
		return r
	}
	r := p.interpret(q.rules, resp.StatusCode, resp.Header, body, tooBig, rv, ref)
	p.log.Debug("lookup", "type", item.Type, "reference", r.Reference, "http_status", resp.StatusCode,
		"status", r.Status.String(), "duration", time.Since(start))
	return r
}

func readLimited(r io.Reader, max int64) ([]byte, bool, error) {
	body, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, false, err
	}
	if int64(len(body)) > max {
		return body[:max], true, nil
	}
	return body, false, nil
}

func (p *Provider) buildRequest(ctx context.Context, q *compiledQuery, rv *renderVars) (*http.Request, string, error) {
	path := q.path.render(rv, true)
	raw := strings.TrimRight(p.base, "/")
	if path != "" && !strings.HasPrefix(path, "/") {
		raw += "/"
	}
	raw += path
	u, err := url.Parse(raw)
	if err != nil {
		return nil, "", fmt.Errorf("cannot build a request URL for %q: %w", rv.observable, err)
	}
	vals := u.Query()
	for _, kv := range q.params {
		vals.Set(kv.key, kv.val.render(rv, false))
	}
	if len(vals) > 0 {
		u.RawQuery = vals.Encode()
	}
	var body io.Reader
	var ctype string
	switch {
	case len(q.form) > 0:
		f := url.Values{}
		for _, kv := range q.form {
			if kv.val.usesOnlyUnset(rv) {
				continue
			}
			f.Set(kv.key, kv.val.render(rv, false))
		}
		body = strings.NewReader(f.Encode())
		ctype = "application/x-www-form-urlencoded"
	case q.body != nil:
		b, err := json.Marshal(renderBody(q.body, rv))
		if err != nil {
			return nil, "", fmt.Errorf("cannot encode the request body: %w", err)
		}
		body = bytes.NewReader(b)
		ctype = "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, q.method, u.String(), body)
	if err != nil {
		return nil, "", fmt.Errorf("cannot build a request for %q: %w", rv.observable, err)
	}
	req.Header.Set("User-Agent", p.ua)
	req.Header.Set("Accept", "application/json")
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for _, kvs := range [][]kvTmpl{p.def.compiled.headers, q.headers} {
		for _, kv := range kvs {
			if kv.val.usesOnlyUnset(rv) {
				req.Header.Del(kv.key)
				continue
			}
			req.Header.Set(kv.key, kv.val.render(rv, false))
		}
	}
	if c := p.def.compiled; c.basicUser != nil {
		req.SetBasicAuth(c.basicUser.render(rv, false), c.basicPass.render(rv, false))
	}
	ref := *u
	ref.RawQuery, ref.Fragment, ref.User = "", "", nil
	return req, p.redact(ref.String()), nil
}

// transportError maps a failed call: timeouts, cancellations, others.
func (p *Provider) transportError(ctx context.Context, err error) lookup.Result {
	var ne net.Error
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout(), errors.Is(err, os.ErrDeadlineExceeded):
		return lookup.Result{Status: lookup.StatusTimeout, Severity: lookup.SevUnknown,
			Message: fmt.Sprintf("%s did not answer in time", p.name)}
	case errors.Is(err, context.Canceled):
		return lookup.Result{Status: lookup.StatusProviderError, Severity: lookup.SevUnknown,
			Message: "lookup cancelled"}
	}
	// url.Error repeats the URL, which may hold a key in its query: keep
	// only the cause.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := p.redact(fmt.Sprintf("cannot reach %s: %v", p.name, err))
	notSent, retry := notConnected(err)
	return lookup.Result{Status: lookup.StatusProviderError, Severity: lookup.SevUnknown,
		Message: msg, Details: msg, RawResult: msg, Retryable: retry, NotSent: notSent}
}

// notConnected tells whether a transport error happened before any request
// left the machine (the host name did not resolve, the connection was
// refused, no route to the host) and whether trying again may help: a
// name that does not exist, a refused connection or a missing route are
// not retried (they will fail the same way, and under a strict rate limit
// each retry costs minutes); a temporary DNS failure is. Any other error
// (a dropped connection, a reset) may have reached the provider: it is
// retried and counted.
func notConnected(err error) (notSent, retry bool) {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true, dns.IsTemporary && !dns.IsNotFound
	}
	for _, e := range []error{syscall.ECONNREFUSED, syscall.ENETUNREACH, syscall.EHOSTUNREACH} {
		if errors.Is(err, e) {
			var op *net.OpError
			if errors.As(err, &op) && op.Op == "dial" {
				return true, false
			}
		}
	}
	return false, true
}

// interpret maps an HTTP answer to a Result.
func (p *Provider) interpret(rl *rules, code int, hdr http.Header, body []byte, tooBig bool, rv *renderVars, ref string) lookup.Result {
	res := lookup.Result{Reference: ref, Severity: lookup.SevUnknown}
	if mapped, ok := p.def.StatusMap[code]; ok {
		switch mapped {
		case "not_found":
			return p.notFound(ref, code)
		case "invalid":
			res.Status = lookup.StatusInvalid
			res.Message = fmt.Sprintf("%s rejected the indicator (HTTP %d): %s", p.name, code, p.excerpt(body))
			res.Details, res.RawResult = res.Message, p.excerpt(body)
			return res
		case "provider_error":
			res.Status = lookup.StatusProviderError
			res.Message = fmt.Sprintf("%s failed (HTTP %d): %s", p.name, code, p.excerpt(body))
			res.Details, res.RawResult = res.Message, p.excerpt(body)
			return res
		case "unexpected":
			return p.unexpected(res, fmt.Sprintf("HTTP %d", code), body)
		}
	}
	switch {
	case code == http.StatusNotFound:
		return p.notFound(ref, code)
	case code == http.StatusUnauthorized:
		return p.httpError(res, code, "Authorization failed. Check account and key details.", body, false)
	case code == http.StatusForbidden:
		return p.httpError(res, code, "Request forbidden. Allowed query rate may have been exceeded.", body, false)
	case code == http.StatusTooManyRequests:
		res.Status = lookup.StatusRateLimited
		res.RetryAfter, _ = lookup.ParseRetryAfter(hdr.Get("Retry-After"), p.nowFn())
		res.Message = fmt.Sprintf("%s: rate limit or quota exceeded (HTTP 429)", p.name)
		if res.RetryAfter > 0 {
			res.Message += fmt.Sprintf("; retry after %s", res.RetryAfter)
		}
		res.Details, res.RawResult = res.Message, p.excerpt(body)
		res.Retryable = true
		return res
	case code >= 500:
		res.RetryAfter, _ = lookup.ParseRetryAfter(hdr.Get("Retry-After"), p.nowFn())
		return p.httpError(res, code, "Server error.", body, true)
	case code < 200 || code >= 300:
		return p.httpError(res, code, http.StatusText(code), body, false)
	}
	if tooBig {
		return p.unexpected(res, fmt.Sprintf("response larger than %d bytes", p.maxSize), body)
	}
	var decoded any
	if len(bytes.TrimSpace(body)) == 0 {
		if code == http.StatusNoContent {
			return p.notFound(ref, code)
		}
		return p.unexpected(res, "empty body", body)
	}
	if err := json.Unmarshal(body, &decoded); err != nil {
		return p.unexpected(res, "body is not JSON", body)
	}
	if p.redactor != nil && p.containsSecret(body) {
		decoded = p.redactValue(decoded)
	}
	env := Env{Response: decoded, Status: code, Observable: rv.observable, IocType: rv.iocType,
		SubType: rv.subType, Headers: p.firstValues(hdr), URL: ref, BaseURL: p.redact(p.base)}
	return p.apply(rl, &env, res, body)
}

// apply runs the result rules over env.
func (p *Provider) apply(rl *rules, env *Env, res lookup.Result, body []byte) lookup.Result {
	machine := vmPool.Get().(*vm.VM)
	defer vmPool.Put(machine)
	run := machine.Run
	res.RawResult = env.Response
	if rl.expect != nil {
		ok, err := runBool(run, rl.expect, env)
		if err != nil {
			return p.unexpected(res, oneLine(err.Error()), body)
		}
		if !ok {
			return p.unexpected(res, "answer does not have the documented shape", body)
		}
	}
	if rl.errRule != nil {
		v, err := run(rl.errRule, env)
		if err != nil {
			return p.unexpected(res, oneLine(err.Error()), body)
		}
		if s, _ := v.(string); s != "" {
			res.Status = lookup.StatusProviderError
			res.Message = p.redact(fmt.Sprintf("%s: %s", p.name, s))
			res.Details = res.Message
			return res
		}
	}
	if rl.notFound != nil {
		nf, err := runBool(run, rl.notFound, env)
		if err != nil {
			return p.unexpected(res, oneLine(err.Error()), body)
		}
		if nf {
			return p.notFoundWith(res, rl, env)
		}
	}
	found := true
	if rl.found != nil {
		f, err := runBool(run, rl.found, env)
		if err != nil {
			return p.unexpected(res, oneLine(err.Error()), body)
		}
		found = f
	}
	if !found {
		return p.notFoundWith(res, rl, env)
	}
	res.Status, res.Found, res.Severity = lookup.StatusFound, true, lookup.SevInformation
	if rl.severity != nil {
		v, err := run(rl.severity, env)
		if err != nil {
			return p.unexpected(res, oneLine(err.Error()), body)
		}
		res.Severity = toSeverity(v)
	}
	if rl.details != nil {
		v, err := run(rl.details, env)
		if err != nil {
			return p.unexpected(res, oneLine(err.Error()), body)
		}
		res.Details = v
	}
	if rl.reference != nil {
		v, err := run(rl.reference, env)
		if err != nil {
			return p.unexpected(res, oneLine(err.Error()), body)
		}
		if s, _ := v.(string); s != "" {
			res.Reference = p.redact(s)
		}
	}
	return res
}

// notFoundWith is a not-found answer; details and reference rules are used
// when they evaluate, else "Not found.".
func (p *Provider) notFoundWith(res lookup.Result, rl *rules, env *Env) lookup.Result {
	machine := vmPool.Get().(*vm.VM)
	defer vmPool.Put(machine)
	run := machine.Run
	res.Status, res.Found, res.Severity = lookup.StatusNotFound, false, lookup.SevInformation
	res.Details = "Not found."
	if rl.details != nil {
		if v, err := run(rl.details, env); err == nil && v != nil {
			res.Details = v
		}
	}
	if rl.reference != nil {
		if v, err := run(rl.reference, env); err == nil {
			if s, _ := v.(string); s != "" {
				res.Reference = p.redact(s)
			}
		}
	}
	return res
}

func (p *Provider) notFound(ref string, code int) lookup.Result {
	return lookup.Result{Status: lookup.StatusNotFound, Severity: lookup.SevInformation,
		Details: "Not found.", Reference: ref, RawResult: fmt.Sprintf("HTTP %d", code)}
}

func (p *Provider) httpError(res lookup.Result, code int, text string, body []byte, retry bool) lookup.Result {
	res.Status = lookup.StatusProviderError
	res.Message = fmt.Sprintf("%s: HTTP %d: %s", p.name, code, text)
	if ex := p.excerpt(body); ex != "" {
		res.RawResult = ex
	} else {
		res.RawResult = fmt.Sprintf("HTTP %d", code)
	}
	// Details keep MSTICPy's text first and name the status, which says
	// more than the text (a 401 is the account, a 403 may be the rate).
	res.Details = fmt.Sprintf("%s (HTTP %d)", text, code)
	res.Retryable = retry
	return res
}

func (p *Provider) unexpected(res lookup.Result, why string, body []byte) lookup.Result {
	ex := p.excerpt(body)
	res.Status, res.Found, res.Severity = lookup.StatusUnexpected, false, lookup.SevUnknown
	res.Message = p.redact(fmt.Sprintf("%s: unexpected response (%s): %s", p.name, why, ex))
	res.Details = res.Message
	res.RawResult = ex
	return res
}

// excerpt is a short, secret-free, single-line quote of a body.
func (p *Provider) excerpt(body []byte) string {
	s := string(body)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	s = p.redact(oneLine(s))
	if utf8.RuneCountInString(s) > excerptLen {
		n := 0
		for i := range s {
			if n == excerptLen-1 {
				return s[:i] + "…"
			}
			n++
		}
	}
	return s
}

func (p *Provider) containsSecret(b []byte) bool {
	if bytes.IndexByte(b, '\\') >= 0 {
		return true // a JSON escape may hide a secret's text (\/, \u0022)
	}
	return p.redactor.Mentions(b)
}

// redact removes every secret value (and its escaped forms) from s, by the
// rule of package redact: secrets of 4 characters or more, where they stand
// as a whole token, so data that merely contains a secret's text (a user
// "u" in "unexpected") is kept.
func (p *Provider) redact(s string) string {
	return p.redactor.Replace(s)
}

func (p *Provider) redactValue(v any) any {
	switch x := v.(type) {
	case string:
		return p.redact(x)
	case map[string]any:
		for k, e := range x {
			x[k] = p.redactValue(e)
		}
	case []any:
		for i, e := range x {
			x[i] = p.redactValue(e)
		}
	}
	return v
}

// vmPool reuses expression machines (their stacks) across lookups.
var vmPool = sync.Pool{New: func() any { return new(vm.VM) }}

func runBool(run func(*vm.Program, any) (any, error), prog *vm.Program, env *Env) (bool, error) {
	v, err := run(prog, env)
	if err != nil {
		return false, err
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("rule gave %s, not true/false", describe(v))
	}
	return b, nil
}

func toSeverity(v any) lookup.Severity {
	switch x := v.(type) {
	case string:
		return lookup.ParseSeverity(x)
	case int:
		if x >= -1 && x <= 2 {
			return lookup.Severity(x)
		}
	case float64:
		if x >= -1 && x <= 2 && x == float64(int(x)) {
			return lookup.Severity(int(x))
		}
	}
	return lookup.SevUnknown
}

// firstValues gives rules the response headers, secrets removed (a
// service may echo a key in a header).
func (p *Provider) firstValues(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		if len(v) > 0 {
			out[k] = p.redact(v[0])
		}
	}
	return out
}

// Interface guards.
var (
	_ lookup.Provider      = (*Provider)(nil)
	_ lookup.TypeSupporter = (*Provider)(nil)
	_ lookup.Limiter       = (*Provider)(nil)
)

// listCache holds a downloaded list (mode list).
type listCache struct {
	mu      sync.Mutex
	entries map[string]map[string]any
	loaded  time.Time
	source  string
	lastErr error
	errAt   time.Time
}
