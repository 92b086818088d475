// Package config owns msticpyconfig.yaml: finding it (flag, MSTICPYCONFIG,
// ./msticpyconfig.yaml, ~/.msticpy/msticpyconfig.yaml, else embedded
// defaults), reading it at the YAML node level so every scalar setting is the
// raw text written in the file, resolving secrets (literal or
// EnvironmentVar; KeyVault references are reported as not configured), and
// checking it (Validate). It depends on nothing else in msticgo.
//
// Rules worth knowing:
//
//   - Scalar settings are the text written: `AuthKey: 0012345` is "0012345",
//     `ApiID: yes` is "yes", `Primary: True` is read as a boolean only for the
//     Primary key.
//   - Environment variables: the value is trimmed of surrounding white space;
//     a variable that is unset, empty or only white space counts as not set,
//     and the provider that needs it is "not configured: NAME not set".
//   - Relative paths in PluginFolders and QueryDefinitions are resolved
//     against the folder of the config file (Config.Dir), not the current
//     directory; a leading "~/" is the home folder. For the embedded defaults
//     they are relative to the current directory.
//   - A wrong shape (a string where a mapping is expected, ...) is a Problem
//     with the YAML path and line; the value is never echoed; the other
//     sections still load. YAML merge keys (<<: *anchor) are applied; a file
//     whose aliases expand past 200,000 nodes (or refer to themselves) is
//     refused.
//
// Problems found while loading (Config.Problems), by severity:
//
//   - error: a section, entry, Args, Primary, Provider, workspace or list of
//     the wrong shape (that part is skipped; a number or boolean where a
//     folder list is expected, e.g. PluginFolders: 42, is a wrong shape);
//     AzureSentinel and MSSentinel both present (the second is ignored); an
//     EnvironmentVar with no name.
//   - warning: an EnvironmentVar that is not set (the entry is "not
//     configured: NAME not set"; reported once, at the setting's key line); a
//     KeyVault reference (not configured until Key Vault is supported; one
//     warning per entry, naming its Key Vault settings); a
//     mapping setting that is neither reference (e.g. KeyVaultURI: not
//     configured); an entry or workspace with no settings; an unsupported
//     http_timeout; an unknown top-level section (with "did you mean" when
//     one is close; MSTICPy's AzureCLI, Plugins and definitions are not
//     reported); an unknown key in a provider entry of any section,
//     DataProviders included (the keys are Args, Primary, Provider,
//     Description; a misspelt one gets "did you mean Args?", any other
//     "did you mean Args.<key>?": settings go under Args). Such a key is
//     ignored (ProviderEntry.Ignored): an unset variable in it says
//     nothing more and never makes the entry not configured. Only
//     MSTICPy's Mordor keys beside Args (save_folder, use_cached) are
//     kept, unreported, in ProviderEntry.Extra.
//   - note: a setting written with no value (read as empty text).
//
// Validate adds MSTICPy's validate_config checks (required keys, workspace
// GUIDs, ...). Of the shared corpus files only mpconfig_defaults.yaml, which
// is MSTICPy's settings schema rather than a config, has load errors (its
// Primary values are "bool(default=True)").
package config

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/msticgo/msticgo/internal/redact"
)

// Severity grades a Problem.
type Severity string

// Problem severities. Errors make `config validate` fail; warnings and notes
// are reported only.
const (
	SevError   Severity = "error"
	SevWarning Severity = "warning"
	SevNote    Severity = "note"
)

// Problem is one finding about the config file: where it is (YAML path and
// line) and what is wrong. Messages never contain setting values.
type Problem struct {
	File     string
	Path     string // dotted YAML path, e.g. TIProviders.VirusTotal.Args
	Line     int    // 1-based, 0 when unknown
	Severity Severity
	Message  string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
	} else if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Severity != "" {
		b.WriteString(string(p.Severity))
		b.WriteString(": ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Setting is one provider argument (or other scalar setting).
type Setting struct {
	Key string
	// Value is the resolved value: the raw text of a literal, the (trimmed)
	// environment variable's value, or "" when it could not be resolved.
	Value string
	// Raw is the text written in the file for a literal; for a reference it
	// is "" (see EnvVar, KeyVault).
	Raw string
	// Values holds the items when the setting is a list of scalars (Value is
	// then the items joined with ",").
	Values []string
	// Secret is true when the value must never be shown: it came from an
	// environment variable or Key Vault, or the key name looks secret
	// (AuthKey, ApiID, password, token, secret, ...).
	Secret bool
	// EnvVar names the environment variable of an EnvironmentVar reference.
	EnvVar string
	// KeyVault is the Key Vault reference text ("default" when empty).
	KeyVault string
	// IsKeyVault is true for a KeyVault reference.
	IsKeyVault bool
	// Resolved is false when a reference could not be resolved; Reason
	// then says why ("HUNT_VT_KEY not set").
	Resolved bool
	Reason   string
	Line     int

	// written is the value as written, kept for an ignored key (see
	// ProviderEntry.Ignored) whose value is a mapping that is no reference
	// (a misspelt Args), so config show lists it masked and its secrets
	// are redacted.
	written *yaml.Node
}

// ProviderEntry is one entry of TIProviders, ContextProviders,
// DataProviders or OtherProviders.
type ProviderEntry struct {
	Section string // TIProviders, ContextProviders, DataProviders, OtherProviders
	// Name is the entry name (the key in the section); results carry it.
	Name string
	// Provider is the provider type to create: the Provider key, else Name.
	Provider    string
	Primary     bool
	Description string
	Args        []Setting // in file order
	// Extra holds the settings MSTICPy's drivers read beside Args
	// (DataProviders.Mordor.save_folder).
	Extra []Setting
	// Ignored holds every other key beside Args (a setting written
	// without Args, a misspelt Args): not read, reported as a warning, kept
	// only so config show lists it and its secret values are redacted. It
	// never makes the entry not configured.
	Ignored []Setting
	Line    int
	// Status is "" when the entry is usable, else why it is not, e.g.
	// "not configured: HUNT_VT_KEY not set".
	Status string
	// HTTPTimeout (seconds, 0 = not set) and Proxies (scheme → proxy URL)
	// are the config's msticpy.http_timeout and msticpy.Proxies, carried by
	// every TIProviders and ContextProviders entry (MSTICPy applies them to
	// all its HTTP providers).
	HTTPTimeout float64
	Proxies     map[string]string
}

// Configured reports whether every secret the entry refers to resolved.
func (e *ProviderEntry) Configured() bool { return e.Status == "" }

// Arg returns the Args setting with the key, case-insensitively.
func (e *ProviderEntry) Arg(key string) (Setting, bool) {
	for _, s := range e.Args {
		if strings.EqualFold(s.Key, key) {
			return s, true
		}
	}
	return Setting{}, false
}

// Settings returns the Args as a map (resolved values, keyed as written) and
// the set of keys whose values are secret: the shape registry.FactoryArgs
// wants. Keys named like workspaceid/tenantid/subscriptionid are also given
// as workspace_id/tenant_id/subscription_id, as MSTICPy does.
func (e *ProviderEntry) Settings() (map[string]string, map[string]bool) {
	return settingsMap(e.Args)
}

func settingsMap(args []Setting) (map[string]string, map[string]bool) {
	vals := map[string]string{}
	secret := map[string]bool{}
	for _, s := range args {
		vals[s.Key] = s.Value
		if s.Secret {
			secret[s.Key] = true
		}
		alias := ""
		switch strings.ToLower(s.Key) {
		case "workspaceid":
			alias = "workspace_id"
		case "tenantid":
			alias = "tenant_id"
		case "subscriptionid":
			alias = "subscription_id"
		}
		if alias != "" {
			if _, ok := vals[alias]; !ok {
				vals[alias] = s.Value
				if s.Secret {
					secret[alias] = true
				}
			}
		}
	}
	return vals, secret
}

// QueryDefinitions lists query folders (absolute or as resolved).
type QueryDefinitions struct {
	Default []string
	Custom  []string
}

// Workspace is one Microsoft Sentinel workspace.
type Workspace struct {
	Name           string
	WorkspaceID    string
	TenantID       string
	SubscriptionID string
	ResourceGroup  string
	WorkspaceName  string
	Args           []Setting
	Line           int
}

// Settings returns the workspace as a settings map plus secret keys.
func (w *Workspace) Settings() (map[string]string, map[string]bool) {
	base := []Setting{
		{Key: "WorkspaceId", Value: w.WorkspaceID},
		{Key: "TenantId", Value: w.TenantID},
		{Key: "SubscriptionId", Value: w.SubscriptionID},
		{Key: "ResourceGroup", Value: w.ResourceGroup},
		{Key: "WorkspaceName", Value: w.WorkspaceName},
	}
	return settingsMap(append(base, w.Args...))
}

// Sentinel is the AzureSentinel (or MSSentinel) section.
type Sentinel struct {
	// Key is the section name used in the file: AzureSentinel or MSSentinel.
	Key        string
	Workspaces []Workspace
	Line       int
}

// Workspace finds a workspace as MSTICPy's WorkspaceConfig does: by entry
// name, WorkspaceId or WorkspaceName (case-insensitively); with an empty
// name, "Default", else the only one.
func (s *Sentinel) Workspace(name string) (*Workspace, bool) {
	if s == nil {
		return nil, false
	}
	if name == "" {
		for i := range s.Workspaces {
			if s.Workspaces[i].Name == "Default" {
				return &s.Workspaces[i], true
			}
		}
		if len(s.Workspaces) == 1 {
			return &s.Workspaces[0], true
		}
		return nil, false
	}
	for i := range s.Workspaces {
		w := &s.Workspaces[i]
		if strings.EqualFold(w.Name, name) || strings.EqualFold(w.WorkspaceID, name) || strings.EqualFold(w.WorkspaceName, name) {
			return w, true
		}
	}
	return nil, false
}

// KeyVault is the KeyVault section (keys matched case-insensitively).
type KeyVault struct {
	TenantID       string
	SubscriptionID string
	ResourceGroup  string
	AzureRegion    string
	VaultName      string
	UseKeyring     bool
	Authority      string
	AuthorityURI   string
	Settings       []Setting
	Line           int
}

// Azure is the Azure section.
type Azure struct {
	Cloud              string
	AuthMethods        []string
	ResourceManagerURL string
	Line               int
}

// Msticpy is the msticpy section.
type Msticpy struct {
	FriendlyExceptions string
	// HTTPTimeout is the timeout in seconds (msticpy.http_timeout, else a
	// top-level http_timeout); 0 means not set.
	HTTPTimeout float64
	// ConnectTimeout is the connect timeout in seconds when one was given.
	ConnectTimeout float64
	// Proxies maps a scheme (http, https) to a proxy URL.
	Proxies map[string]string
	Line    int
}

// Folder is one folder of PluginFolders.
type Folder struct {
	// Written is the text in the file ("nosuchfolder", "~/plugins").
	Written string
	// Path is Written resolved against the config file's folder (a
	// leading "~/" is the home folder).
	Path string
	Line int
}

// Config is a loaded msticpyconfig.yaml.
type Config struct {
	// Path is the file it was read from; "" for the embedded defaults.
	Path string
	// From says how it was found: "--config", "MSTICPYCONFIG",
	// "./msticpyconfig.yaml", "~/.msticpy/msticpyconfig.yaml", "embedded"
	// or "" when read directly.
	From string

	TIProviders      []ProviderEntry
	ContextProviders []ProviderEntry
	DataProviders    []ProviderEntry
	OtherProviders   []ProviderEntry
	// PluginFolders are the PluginFolders folders, resolved (see
	// PluginFolderList for each as written, with its line).
	PluginFolders    []string
	PluginFolderList []Folder
	QueryDefinitions QueryDefinitions
	// UserDefaults is kept as read (string settings only), keyed by dotted path.
	UserDefaults []Setting
	Sentinel     *Sentinel
	KeyVault     *KeyVault
	Azure        Azure
	Msticpy      Msticpy
	// Unknown holds every other top-level section, as parsed.
	Unknown map[string]*yaml.Node
	// Problems found while loading (wrong shapes, unresolved secrets...).
	Problems []Problem

	dir   string
	order []string   // top-level keys in file order
	root  *yaml.Node // document mapping, nil when empty
}

// Dir is the folder relative paths in the file are resolved against: the
// config file's folder, or "" (the current directory) for the embedded
// defaults.
func (c *Config) Dir() string { return c.dir }

// Section returns the provider entries of a section by name:
// TIProviders, ContextProviders, DataProviders or OtherProviders.
func (c *Config) Section(name string) []ProviderEntry {
	switch strings.ToLower(name) {
	case "tiproviders", "ti":
		return c.TIProviders
	case "contextproviders", "context":
		return c.ContextProviders
	case "dataproviders", "data":
		return c.DataProviders
	case "otherproviders", "other":
		return c.OtherProviders
	}
	return nil
}

// Entries returns every provider entry of every section in section order.
func (c *Config) Entries() []ProviderEntry {
	var out []ProviderEntry
	out = append(out, c.DataProviders...)
	out = append(out, c.TIProviders...)
	out = append(out, c.ContextProviders...)
	out = append(out, c.OtherProviders...)
	return out
}

// Entry finds a provider entry of a section by entry name, case-insensitively.
func (c *Config) Entry(section, name string) (*ProviderEntry, bool) {
	entries := c.Section(section)
	for i := range entries {
		if strings.EqualFold(entries[i].Name, name) {
			return &entries[i], true
		}
	}
	return nil, false
}

// Secrets returns every resolved secret value in the config (provider Args,
// workspace Args, Key Vault settings, proxy passwords, secret-looking keys
// in unknown sections), longest first, without duplicates, so output and log
// paths can redact them. Values shorter than 3 characters are left out: they
// cannot be redacted without destroying ordinary text.
func (c *Config) Secrets() []string {
	seen := map[string]bool{}
	var out []string
	add := func(v string) {
		v = strings.TrimSpace(v)
		if len(v) < 3 || seen[v] {
			return
		}
		seen[v] = true
		out = append(out, v)
	}
	addSecret := func(v string) {
		add(v)
		// a connection string also hides the password inside it, which
		// an error or a log line may show on its own
		for _, pw := range embeddedPasswords(v) {
			add(pw)
		}
	}
	addSettings := func(ss []Setting) {
		for _, s := range ss {
			if s.Secret {
				addSecret(s.Value)
				addSecret(s.Raw)
				for _, v := range s.Values {
					addSecret(v)
				}
				continue
			}
			// any setting may hold a URL with a password in it (BaseURL)
			for _, v := range append([]string{s.Value, s.Raw}, s.Values...) {
				for _, pw := range urlPasswords(v) {
					add(pw)
				}
			}
		}
	}
	for _, e := range c.Entries() {
		addSettings(e.Args)
		addSettings(e.Extra)
		addSettings(e.Ignored)
	}
	if c.Sentinel != nil {
		for _, w := range c.Sentinel.Workspaces {
			addSettings(w.Args)
		}
	}
	if c.KeyVault != nil {
		addSettings(c.KeyVault.Settings)
	}
	addSettings(c.UserDefaults)
	for _, p := range c.Msticpy.Proxies {
		if pw := proxyPassword(p); pw != "" {
			add(pw)
		}
	}
	unknown := make([]*yaml.Node, 0, len(c.Unknown))
	for _, n := range c.Unknown {
		unknown = append(unknown, n)
	}
	for _, e := range c.Entries() {
		for _, s := range e.Ignored {
			if s.written != nil {
				unknown = append(unknown, s.written)
			}
		}
	}
	for _, n := range unknown {
		walkSecretScalars(n, add)
		scalarsUnder(n, func(v string) {
			for _, pw := range urlPasswords(v) {
				add(pw)
			}
		}, 0)
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// walkSecretScalars calls add for every scalar under a secret-looking key.
func walkSecretScalars(n *yaml.Node, add func(string)) {
	walkSecretDepth(n, add, 0)
}

// maxDepth bounds recursion through nested and aliased (possibly
// self-referencing) YAML nodes.
const maxDepth = 64

func walkSecretDepth(n *yaml.Node, add func(string), depth int) {
	if n == nil || depth > maxDepth {
		return
	}
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			walkSecretDepth(c, add, depth+1)
		}
	case yaml.MappingNode:
		for _, kv := range pairs(n) {
			k, v := kv[0], kv[1]
			if LooksSecret(k.Value) {
				scalarsUnder(v, add, depth+1)
			} else {
				walkSecretDepth(v, add, depth+1)
			}
		}
	case yaml.AliasNode:
		walkSecretDepth(n.Alias, add, depth+1)
	}
}

func scalarsUnder(n *yaml.Node, add func(string), depth int) {
	if n == nil || depth > maxDepth {
		return
	}
	if n.Kind == yaml.ScalarNode {
		add(n.Value)
		return
	}
	if n.Kind == yaml.AliasNode {
		scalarsUnder(n.Alias, add, depth+1)
		return
	}
	for _, c := range n.Content {
		scalarsUnder(c, add, depth+1)
	}
}

// LooksSecret reports whether a setting key names a secret: AuthKey, ApiID,
// ApiKey, password, token, secret, key, a connection string (dsn) and the
// like (case-insensitive, ignoring '_' and '-').
func LooksSecret(key string) bool {
	k := strings.ToLower(strings.NewReplacer("_", "", "-", "", " ", "").Replace(key))
	if k == "" {
		return false
	}
	for _, w := range []string{"authkey", "apikey", "apiid", "password", "passwd", "pwd", "passphrase", "token", "secret", "privatekey", "accesskey", "credential", "connectionstr", "sastoken", "cookie"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return strings.HasSuffix(k, "key") || strings.HasSuffix(k, "dsn")
}

// kvPasswordRE finds password=VALUE in a key=value connection string
// (libpq form), VALUE plain or single-quoted.
var kvPasswordRE = regexp.MustCompile(`(?i)(?:^|\s)password\s*=\s*('(?:[^'\\]|\\.)*'|[^\s']+)`)

// urlPasswords returns the user-info passwords of the URLs in v, as written
// (percent-encoded) and decoded.
func urlPasswords(v string) []string {
	if !strings.Contains(v, "://") {
		return nil
	}
	var out []string
	if u, err := url.Parse(strings.TrimSpace(v)); err == nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			out = append(out, pw)
		}
	} else if pw := proxyPassword(v); pw != "" {
		out = append(out, pw) // not a valid URL: the widest guess
	}
	_, raw := redact.MaskURLPasswords(v)
	for _, pw := range raw {
		out = append(out, pw)
		if dec, err := url.PathUnescape(pw); err == nil && dec != pw {
			out = append(out, dec)
		}
	}
	return out
}

// maskURLPasswords returns v with the user-info password of every URL in it
// shown as ***.
func maskURLPasswords(v string) string {
	out, _ := redact.MaskURLPasswords(v)
	return out
}

// embeddedPasswords returns the passwords held inside a connection string:
// the user-info password of a URL (as written and decoded) and the value
// of password=... in a key=value string.
func embeddedPasswords(v string) []string {
	out := urlPasswords(v)
	for _, m := range kvPasswordRE.FindAllStringSubmatch(v, -1) {
		pw := m[1]
		if strings.HasPrefix(pw, "'") {
			pw = strings.NewReplacer(`\\`, `\`, `\'`, `'`).Replace(strings.TrimSuffix(strings.TrimPrefix(pw, "'"), "'"))
		}
		out = append(out, pw)
	}
	return out
}
