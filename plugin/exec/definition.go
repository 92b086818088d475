package exec

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/msticgo/msticgo/plugin/internal/notconfigured"
	"github.com/msticgo/msticgo/registry"
)

// HostVersion is sent to plugins in initialize.
var HostVersion = "msticgo-dev"

// Definition is a loaded executable plugin: its manifest and the instances
// created from it. Loading a definition starts no process.
type Definition struct {
	Manifest *Manifest
	Logger   *slog.Logger
	// HostVersion is sent in initialize; "" means the package's HostVersion.
	HostVersion string

	mu        sync.Mutex
	instances []*pool
}

// Load reads and checks the plugin in dir.
func Load(dir string, log *slog.Logger) (*Definition, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Definition{Manifest: m, Logger: log}, nil
}

// Registration is the registry entry for the plugin.
func (d *Definition) Registration() registry.Registration {
	m := d.Manifest
	names := m.Names()
	meta := map[string]any{
		"way":              "executable",
		"command":          strings.Join(m.Command, " "),
		"external_service": m.Privacy.ExternalService,
	}
	if len(m.IocTypes) > 0 {
		meta["ioc_types"] = append([]string(nil), m.IocTypes...)
	}
	var settings []string
	for _, s := range m.Settings {
		settings = append(settings, s.Name)
	}
	meta["settings"] = settings
	meta["required"] = m.RequiredNames()
	meta["secrets"] = m.SecretNames()
	meta["definition"] = m.Path
	meta["limits"] = d.limits()
	return registry.Registration{
		Kind:        m.KindValue,
		Name:        names[0],
		Aliases:     names[1:],
		Description: m.Description,
		Version:     m.Version,
		Source:      registry.PluginSource(m.Dir),
		Override:    m.Override,
		Factory:     d.Factory,
		Meta:        meta,
	}
}

// NotConfiguredError names the required settings that are missing.
type NotConfiguredError = notconfigured.Error

// Settings checks args against the manifest and returns the typed settings
// sent in initialize and the secret values to scrub.
func (d *Definition) Settings(args registry.FactoryArgs) (map[string]any, []string, error) {
	m := d.Manifest
	out := map[string]any{}
	var secrets []string
	var missing []string
	declared := map[string]bool{}
	for _, s := range m.Settings {
		declared[strings.ToLower(s.Name)] = true
		v, ok := lookupFold(args.Settings, s.Name)
		if !ok || v == "" {
			if s.Default != "" {
				v, ok = s.Default, true
			}
		}
		if !ok || v == "" {
			if s.Required {
				missing = append(missing, s.Name)
			}
			continue
		}
		if s.Secret || args.Secrets[s.Name] {
			secrets = append(secrets, v)
		}
		tv, err := typed(s, v)
		if err != nil {
			return nil, nil, fmt.Errorf("plugin %s: setting %s: %w", m.ProviderName, s.Name, err)
		}
		out[s.Name] = tv
	}
	// Settings the manifest does not declare are passed as text.
	for k, v := range args.Settings {
		if !declared[strings.ToLower(k)] {
			out[k] = v
			if args.Secrets[k] {
				secrets = append(secrets, v)
			}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, nil, &NotConfiguredError{Plugin: m.ProviderName, Missing: missing}
	}
	return out, secrets, nil
}

func typed(s Setting, v string) (any, error) {
	switch strings.ToLower(s.Type) {
	case "int":
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("want an integer")
		}
		return n, nil
	case "float":
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return nil, fmt.Errorf("want a number")
		}
		return f, nil
	case "bool":
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("want true or false")
		}
		return b, nil
	}
	return v, nil
}

func lookupFold(m map[string]string, key string) (string, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return "", false
}

// Factory creates a provider (ti/context) or driver (data) instance. No
// process starts until its first call.
func (d *Definition) Factory(ctx context.Context, args registry.FactoryArgs) (any, error) {
	settings, secrets, err := d.Settings(args)
	if err != nil {
		return nil, err
	}
	m := d.Manifest
	log := d.Logger
	if args.Logger != nil {
		log = args.Logger
	}
	loadedAs := args.LoadedAs
	if loadedAs == "" {
		loadedAs = m.ProviderName
	}
	entry := args.Entry
	if entry == "" {
		entry = loadedAs
	}
	init := InitializeParams{
		ProtocolVersions: []int{ProtocolVersion},
		HostVersion:      cmpOr(d.HostVersion, HostVersion),
		LoadedAs:         loadedAs,
		Entry:            entry,
		Kind:             string(m.KindValue),
		Settings:         settings,
		LogLevel:         "info",
	}
	pl := newPool(m.ProviderName, m, init, secrets, log)
	d.mu.Lock()
	d.instances = append(d.instances, pl)
	d.mu.Unlock()
	if m.KindValue == registry.KindData {
		return &Driver{def: d, pool: pl}, nil
	}
	return &Provider{def: d, pool: pl}, nil
}

// Close ends the processes of every instance created so far.
func (d *Definition) Close() error {
	d.mu.Lock()
	all := d.instances
	d.instances = nil
	d.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = p.Close()
		}()
	}
	wg.Wait()
	return nil
}

// Health asks a running (or newly started) process for its health.
func health(ctx context.Context, p *pool) error {
	raw, err := p.do(ctx, MethodHealth, struct{}{}, nil, nil)
	if err != nil {
		return err
	}
	var h struct {
		OK     *bool  `json:"ok"`
		Detail string `json:"detail"`
	}
	if len(raw) == 0 || raw[0] != '{' {
		return fmt.Errorf("plugin %s: health: want {\"ok\": true}, got %s", p.name, p.quote(raw, 200))
	}
	if err := jsonUnmarshal(raw, &h); err != nil {
		return fmt.Errorf("plugin %s: health: %w", p.name, err)
	}
	if h.OK != nil && !*h.OK {
		return fmt.Errorf("plugin %s is not healthy: %s", p.name, p.tail.scrub.clean(h.Detail))
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
