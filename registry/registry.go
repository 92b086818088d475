// Package registry owns the one registry of providers of three kinds (data
// drivers, threat-intelligence providers and context providers): their names
// and aliases, MSTICPy's naming rules, and the clash policy. It depends on
// nothing else in msticgo; consumers type-assert what a Factory returns to
// their own small interface (data.Driver, lookup.Provider).
package registry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"
)

// Kind is the kind of a provider.
type Kind string

// The three kinds of provider.
const (
	KindData    Kind = "data"
	KindTI      Kind = "ti"
	KindContext Kind = "context"
)

// Kinds lists every kind in display order.
var Kinds = []Kind{KindData, KindTI, KindContext}

// ParseKind reads a kind name, case-insensitively.
func ParseKind(s string) (Kind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "data", "driver", "data_provider":
		return KindData, nil
	case "ti", "tiprovider", "ti_provider":
		return KindTI, nil
	case "context", "contextprovider", "context_provider":
		return KindContext, nil
	}
	return "", fmt.Errorf("unknown provider kind %q (want data, ti or context)", s)
}

// Source says where a registration came from.
type Source struct {
	// Type is "builtin", "go" (a Go program that links msticgo) or "plugin".
	Type string
	// Path is the plugin file or folder for plugins, the Go package path for
	// Go registrations, empty for built-ins.
	Path string
}

// Builtin is the Source of providers compiled into msticgo.
var Builtin = Source{Type: "builtin"}

// PluginSource is the Source of a provider read from a plugin file.
func PluginSource(path string) Source { return Source{Type: "plugin", Path: path} }

func (s Source) String() string {
	if s.Path == "" {
		if s.Type == "" {
			return "builtin"
		}
		return s.Type
	}
	return s.Type + ":" + s.Path
}

// FactoryArgs is what a factory receives when a provider is created.
type FactoryArgs struct {
	// LoadedAs is the name (or alias) the provider was asked for: MSTICPy's
	// data_environment. One driver can behave differently per alias.
	LoadedAs string
	// Entry is the config entry name (TIProviders.<Entry>); results carry it.
	// Equal to LoadedAs when the provider is not configured.
	Entry string
	// Settings are the provider's resolved Args (secrets resolved), keyed as
	// written in the config. Scalars are the raw text written in the file.
	Settings map[string]string
	// Secrets names the settings whose values must never be shown.
	Secrets map[string]bool
	// BaseDir is the folder relative paths in settings are resolved against.
	BaseDir string
	// Logger is the logger the provider should use; never nil.
	Logger *slog.Logger
	// Proxies maps a URL scheme ("http", "https") to the proxy URL an HTTP
	// provider must use (MSTICPy's msticpy.Proxies); empty means the
	// environment's HTTPS_PROXY/HTTP_PROXY/NO_PROXY.
	Proxies map[string]string
	// HTTPTimeout is the time limit of one HTTP call when the provider's own
	// settings give none (MSTICPy's msticpy.http_timeout); 0 = not set.
	HTTPTimeout time.Duration
}

// Factory creates a provider instance. What it returns must satisfy the
// interface the consumer of that kind expects.
type Factory func(ctx context.Context, args FactoryArgs) (any, error)

// Registration describes one provider.
type Registration struct {
	Kind        Kind
	Name        string   // friendly name
	Aliases     []string // other names it answers to
	Description string
	Version     string
	Source      Source
	// Override lets a plugin replace a built-in of the same kind and name.
	// It is reported in listings.
	Override bool
	// Overrode is set by the registry when this registration replaced another.
	Overrode *Source
	Factory  Factory
	// Meta holds kind-specific facts for listings (supported IoC types, ...).
	Meta map[string]any
}

// Names is the friendly name followed by the aliases.
func (r *Registration) Names() []string {
	return append([]string{r.Name}, r.Aliases...)
}

// Sentinel errors for callers that branch.
var (
	ErrNotFound  = errors.New("provider not found")
	ErrDuplicate = errors.New("duplicate provider name")
)

// DuplicateError is returned when a name is already taken.
type DuplicateError struct {
	Kind     Kind
	Name     string
	Existing Source
	New      Source
}

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("%s provider %q from %s clashes with the one already registered from %s (the first stays; a plugin replaces a built-in only with override: true, OVERRIDE = True in Starlark)",
		e.Kind, e.Name, e.New, e.Existing)
}

// Unwrap makes errors.Is(err, ErrDuplicate) true.
func (e *DuplicateError) Unwrap() error { return ErrDuplicate }

// NotFoundError is returned by Lookup for an unknown name.
type NotFoundError struct {
	Kind  Kind
	Name  string
	Known []string
}

func (e *NotFoundError) Error() string {
	msg := fmt.Sprintf("unknown %s provider %q", e.Kind, e.Name)
	if s := Suggest(e.Name, e.Known); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	if len(e.Known) > 0 {
		msg += "; known: " + strings.Join(e.Known, ", ")
	}
	return msg
}

// Unwrap makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// Registry holds registrations. The zero value is not usable; call New.
type Registry struct {
	mu    sync.RWMutex
	regs  []*Registration                   // in registration order
	index map[Kind]map[string]*Registration // lower-case name/alias → reg
}

// New returns an empty, isolated registry.
func New() *Registry {
	return &Registry{index: map[Kind]map[string]*Registration{}}
}

// Default is the process-wide registry that built-in providers register into.
var Default = New()

// Register adds a registration under its name and aliases. A name already
// taken by the same kind is an error naming both sources and the first one
// stays — unless the new registration is a plugin with Override set and the
// existing one is a built-in, in which case it replaces it and records that.
// No alias of a failed registration is added.
func (r *Registry) Register(reg Registration) error {
	if reg.Name == "" {
		return fmt.Errorf("registry: %s provider from %s has no name", reg.Kind, reg.Source)
	}
	if reg.Factory == nil {
		return fmt.Errorf("registry: %s provider %q from %s has no factory", reg.Kind, reg.Name, reg.Source)
	}
	switch reg.Kind {
	case KindData, KindTI, KindContext:
	default:
		return fmt.Errorf("registry: provider %q from %s has unknown kind %q", reg.Name, reg.Source, reg.Kind)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	idx := r.index[reg.Kind]
	if idx == nil {
		idx = map[string]*Registration{}
		r.index[reg.Kind] = idx
	}
	// Deduplicate names within the registration itself.
	seen := map[string]bool{}
	var names []string
	for _, n := range reg.Names() {
		k := strings.ToLower(n)
		if n == "" || seen[k] {
			continue
		}
		seen[k] = true
		names = append(names, n)
	}
	var replaced []*Registration
	for _, n := range names {
		old, ok := idx[strings.ToLower(n)]
		if !ok {
			continue
		}
		if reg.Override && old.Source.Type == "builtin" && reg.Source.Type != "builtin" {
			replaced = append(replaced, old)
			continue
		}
		return &DuplicateError{Kind: reg.Kind, Name: n, Existing: old.Source, New: reg.Source}
	}
	nr := reg
	nr.Aliases = append([]string(nil), names[1:]...)
	if len(replaced) > 0 {
		src := replaced[0].Source
		nr.Overrode = &src
		for _, old := range replaced {
			r.removeLocked(old)
		}
	}
	for _, n := range names {
		idx[strings.ToLower(n)] = &nr
	}
	r.regs = append(r.regs, &nr)
	return nil
}

func (r *Registry) removeLocked(old *Registration) {
	idx := r.index[old.Kind]
	for k, v := range idx {
		if v == old {
			delete(idx, k)
		}
	}
	for i, v := range r.regs {
		if v == old {
			r.regs = append(r.regs[:i], r.regs[i+1:]...)
			break
		}
	}
}

// MustRegister is Register for init functions of built-ins: it panics on error.
func (r *Registry) MustRegister(reg Registration) {
	if err := r.Register(reg); err != nil {
		panic(err)
	}
}

// Lookup finds a provider of a kind by name or alias, case-insensitively.
func (r *Registry) Lookup(kind Kind, name string) (*Registration, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if reg, ok := r.index[kind][strings.ToLower(strings.TrimSpace(name))]; ok {
		return reg, nil
	}
	return nil, &NotFoundError{Kind: kind, Name: name, Known: r.namesLocked(kind)}
}

// Names lists every name and alias of a kind, sorted case-insensitively.
func (r *Registry) Names(kind Kind) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.namesLocked(kind)
}

func (r *Registry) namesLocked(kind Kind) []string {
	var out []string
	for _, reg := range r.regs {
		if reg.Kind == kind {
			out = append(out, reg.Names()...)
		}
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out
}

// List returns the registrations of the given kinds (all kinds when none is
// given), sorted by kind then name, case-insensitively.
func (r *Registry) List(kinds ...Kind) []Registration {
	r.mu.RLock()
	defer r.mu.RUnlock()
	want := map[Kind]bool{}
	for _, k := range kinds {
		want[k] = true
	}
	var out []Registration
	for _, reg := range r.regs {
		if len(want) == 0 || want[reg.Kind] {
			out = append(out, *reg)
		}
	}
	order := map[Kind]int{KindData: 0, KindTI: 1, KindContext: 2}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return order[out[i].Kind] < order[out[j].Kind]
		}
		return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name)
	})
	return out
}

// Clone returns an independent copy of the registry: built-ins from Default
// plus whatever a session adds stay apart from other sessions.
func (r *Registry) Clone() *Registry {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c := New()
	for _, reg := range r.regs {
		cp := *reg
		c.regs = append(c.regs, &cp)
		if c.index[cp.Kind] == nil {
			c.index[cp.Kind] = map[string]*Registration{}
		}
		for _, n := range cp.Names() {
			c.index[cp.Kind][strings.ToLower(n)] = &cp
		}
	}
	return c
}

// Register adds to the Default registry.
func Register(reg Registration) error { return Default.Register(reg) }

// MustRegister adds to the Default registry and panics on error.
func MustRegister(reg Registration) { Default.MustRegister(reg) }

// Lookup finds a provider in the Default registry.
func Lookup(kind Kind, name string) (*Registration, error) { return Default.Lookup(kind, name) }
