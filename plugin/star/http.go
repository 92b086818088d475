package star

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.starlark.net/lib/json"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"
)

const (
	localCtx  = "msticgo.ctx"
	localHTTP = "msticgo.http"

	// DefaultHTTPTimeout bounds one http.get/post.
	DefaultHTTPTimeout = 30 * time.Second
	// DefaultHTTPMaxBytes caps a response body.
	DefaultHTTPMaxBytes = 10 << 20
	// AllowHostsSetting is the setting holding the host allow-list
	// (comma-separated host names; empty means any host).
	AllowHostsSetting = "HTTPAllowHosts"
)

type httpConfig struct {
	client   *http.Client
	allow    []string
	maxBytes int64
	timeout  time.Duration
}

func newHTTPConfig(settings map[string]string) *httpConfig {
	c := &httpConfig{maxBytes: DefaultHTTPMaxBytes, timeout: DefaultHTTPTimeout}
	c.client = &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return fmt.Errorf("stopped after 5 redirects")
		}
		if !c.allowed(req.URL) {
			return fmt.Errorf("redirect to host %q is not in the %s allow-list", req.URL.Hostname(), AllowHostsSetting)
		}
		// Never follow a redirect to another host: the script's headers
		// (API keys) would go with it. The script gets the 3xx answer.
		if !strings.EqualFold(req.URL.Host, via[0].URL.Host) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	for k, v := range settings {
		if strings.EqualFold(k, AllowHostsSetting) {
			for _, h := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
				c.allow = append(c.allow, strings.ToLower(h))
			}
		}
	}
	return c
}

func (c *httpConfig) allowed(u *url.URL) bool {
	if len(c.allow) == 0 {
		return true
	}
	host := strings.ToLower(u.Hostname())
	for _, a := range c.allow {
		if host == a || strings.HasSuffix(host, "."+a) || (strings.Contains(a, ":") && strings.EqualFold(u.Host, a)) {
			return true
		}
	}
	return false
}

var httpModule = &starlarkstruct.Module{
	Name: "http",
	Members: starlark.StringDict{
		"get":  starlark.NewBuiltin("http.get", httpGet),
		"post": starlark.NewBuiltin("http.post", httpPost),
	},
}

func httpGet(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var rawURL string
	var headers, params *starlark.Dict
	var timeout starlark.Value = starlark.None
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "url", &rawURL, "headers?", &headers, "params?", &params, "timeout?", &timeout); err != nil {
		return nil, err
	}
	return doHTTP(thread, b.Name(), http.MethodGet, rawURL, headers, params, nil, "", timeout)
}

func httpPost(thread *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
	var rawURL string
	var headers, params *starlark.Dict
	var body starlark.Value = starlark.None
	var jsonBody starlark.Value = starlark.None
	var timeout starlark.Value = starlark.None
	if err := starlark.UnpackArgs(b.Name(), args, kwargs, "url", &rawURL, "body?", &body, "json?", &jsonBody, "headers?", &headers, "params?", &params, "timeout?", &timeout); err != nil {
		return nil, err
	}
	var payload []byte
	ctype := ""
	switch {
	case jsonBody != starlark.None:
		enc := json.Module.Members["encode"]
		v, err := starlark.Call(thread, enc, starlark.Tuple{jsonBody}, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: json: %w", b.Name(), err)
		}
		payload, ctype = []byte(v.(starlark.String)), "application/json"
	case body != starlark.None:
		s, ok := starlark.AsString(body)
		if !ok {
			return nil, fmt.Errorf("%s: body must be a string", b.Name())
		}
		payload = []byte(s)
	}
	return doHTTP(thread, b.Name(), http.MethodPost, rawURL, headers, params, payload, ctype, timeout)
}

func doHTTP(thread *starlark.Thread, name, method, rawURL string, headers, params *starlark.Dict, payload []byte, ctype string, timeout starlark.Value) (starlark.Value, error) {
	cfg, _ := thread.Local(localHTTP).(*httpConfig)
	ctx, _ := thread.Local(localCtx).(context.Context)
	if cfg == nil || ctx == nil {
		return nil, fmt.Errorf("%s: http is not available while the script loads; call it from lookup, connect or query", name)
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s: %q is not an http(s) URL", name, rawURL)
	}
	if !cfg.allowed(u) {
		return nil, fmt.Errorf("%s: host %q is not in the %s allow-list", name, u.Hostname(), AllowHostsSetting)
	}
	if params != nil {
		q := u.Query()
		for _, kv := range params.Items() {
			k, _ := starlark.AsString(kv[0])
			v, ok := starlark.AsString(kv[1])
			if !ok {
				v = kv[1].String()
			}
			q.Set(k, v)
		}
		u.RawQuery = q.Encode()
	}
	to := cfg.timeout
	if timeout != starlark.None {
		f, ok := starlark.AsFloat(timeout)
		if !ok || f <= 0 {
			return nil, fmt.Errorf("%s: timeout must be a positive number of seconds", name)
		}
		to = min(to, time.Duration(f*float64(time.Second)))
	}
	ctx, cancel := context.WithTimeout(ctx, to)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if headers != nil {
		for _, kv := range headers.Items() {
			k, _ := starlark.AsString(kv[0])
			v, ok := starlark.AsString(kv[1])
			if !ok {
				v = kv[1].String()
			}
			req.Header.Set(k, v)
		}
	}
	resp, err := cfg.client.Do(req)
	if err != nil {
		// Do not echo the URL's query string: it may hold a key.
		var ne net.Error
		if ok := asNetErr(err, &ne); ok && ne.Timeout() {
			return nil, fmt.Errorf("%s %s://%s%s: timed out after %s", name, u.Scheme, u.Host, u.Path, to)
		}
		// The reason without the url.Error's URL (a refused redirect says
		// which host the allow-list stopped).
		reason := err.Error()
		var ue *url.Error
		if errors.As(err, &ue) {
			reason = ue.Err.Error()
		}
		return nil, fmt.Errorf("%s %s://%s%s: request failed: %s", name, u.Scheme, u.Host, u.Path, reason)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, cfg.maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s://%s%s: reading the body: %w", name, u.Scheme, u.Host, u.Path, err)
	}
	if int64(len(body)) > cfg.maxBytes {
		return nil, fmt.Errorf("%s %s://%s%s: response larger than %d bytes", name, u.Scheme, u.Host, u.Path, cfg.maxBytes)
	}
	// The URL that answered (after same-host redirects), without its query.
	final := u
	if resp.Request != nil && resp.Request.URL != nil {
		final = resp.Request.URL
	}
	hd := starlark.NewDict(len(resp.Header))
	for k := range resp.Header {
		_ = hd.SetKey(starlark.String(strings.ToLower(k)), starlark.String(resp.Header.Get(k)))
	}
	text := starlark.String(body)
	jsonFn := starlark.NewBuiltin("json", func(th *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
		if err := starlark.UnpackPositionalArgs(b.Name(), args, kw, 0); err != nil {
			return nil, err
		}
		return starlark.Call(th, json.Module.Members["decode"], starlark.Tuple{text}, nil)
	})
	return starlarkstruct.FromStringDict(starlark.String("response"), starlark.StringDict{
		"status":  starlark.MakeInt(resp.StatusCode),
		"body":    text,
		"headers": hd,
		"url":     starlark.String(final.Scheme + "://" + final.Host + final.Path),
		"json":    jsonFn,
	}), nil
}

func asNetErr(err error, target *net.Error) bool {
	for err != nil {
		if ne, ok := err.(net.Error); ok {
			*target = ne
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}
