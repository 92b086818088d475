package config

import (
	"bytes"
	"fmt"
	"sort"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Redacted is the mask shown instead of a secret value.
const Redacted = "***"

// RedactedYAML renders the effective configuration as YAML: sections in
// file order, provider entries with their defaults applied (Provider,
// Primary), relative folders resolved, every secret shown as *** (with a
// comment saying where it comes from), the user-info password of every URL
// shown as ***, unknown sections kept with values under secret-looking keys
// masked.
func (c *Config) RedactedYAML() ([]byte, error) {
	root := &yaml.Node{Kind: yaml.MappingNode}
	add := func(k string, v *yaml.Node) {
		root.Content = append(root.Content, str(k), v)
	}
	done := map[string]bool{}
	order := append([]string(nil), c.order...)
	// sections with effective values even when absent from the file
	for _, k := range []string{"TIProviders", "ContextProviders", "DataProviders", "PluginFolders", "QueryDefinitions"} {
		if !contains(order, k) {
			order = append(order, k)
		}
	}
	for _, k := range order {
		if done[k] {
			continue
		}
		done[k] = true
		switch k {
		case "TIProviders":
			add(k, entriesNode(c.TIProviders))
		case "ContextProviders":
			add(k, entriesNode(c.ContextProviders))
		case "DataProviders":
			add(k, entriesNode(c.DataProviders))
		case "OtherProviders":
			add(k, entriesNode(c.OtherProviders))
		case "PluginFolders":
			add(k, strList(c.PluginFolders))
		case "QueryDefinitions":
			m := mapping()
			m.Content = append(m.Content, str("Default"), strList(c.QueryDefinitions.Default), str("Custom"), strList(c.QueryDefinitions.Custom))
			add(k, m)
		case "UserDefaults":
			m := mapping()
			for _, s := range c.UserDefaults {
				m.Content = append(m.Content, str(s.Key), settingNode(s))
			}
			add(k, m)
		case "AzureSentinel", "MSSentinel":
			if c.Sentinel == nil || c.Sentinel.Key != k {
				continue
			}
			ws := mapping()
			for _, w := range c.Sentinel.Workspaces {
				m := mapping()
				for _, kv := range [][2]string{{"WorkspaceId", w.WorkspaceID}, {"TenantId", w.TenantID}, {"SubscriptionId", w.SubscriptionID}, {"ResourceGroup", w.ResourceGroup}, {"WorkspaceName", w.WorkspaceName}} {
					if kv[1] != "" {
						m.Content = append(m.Content, str(kv[0]), str(kv[1]))
					}
				}
				if len(w.Args) > 0 {
					m.Content = append(m.Content, str("Args"), settingsNode(w.Args))
				}
				ws.Content = append(ws.Content, str(w.Name), m)
			}
			sm := mapping()
			sm.Content = append(sm.Content, str("Workspaces"), ws)
			add(k, sm)
		case "KeyVault":
			if c.KeyVault != nil {
				add(k, settingsNode(c.KeyVault.Settings))
			}
		case "Azure":
			m := mapping()
			if c.Azure.Cloud != "" {
				m.Content = append(m.Content, str("cloud"), str(c.Azure.Cloud))
			}
			if len(c.Azure.AuthMethods) > 0 {
				m.Content = append(m.Content, str("auth_methods"), strList(c.Azure.AuthMethods))
			}
			if c.Azure.ResourceManagerURL != "" {
				m.Content = append(m.Content, str("resource_manager_url"), str(c.Azure.ResourceManagerURL))
			}
			add(k, m)
		case "msticpy", "http_timeout":
			if done["msticpy-rendered"] {
				continue
			}
			done["msticpy-rendered"] = true
			m := mapping()
			if c.Msticpy.FriendlyExceptions != "" {
				m.Content = append(m.Content, str("FriendlyExceptions"), str(c.Msticpy.FriendlyExceptions))
			}
			if c.Msticpy.HTTPTimeout > 0 || c.Msticpy.ConnectTimeout > 0 {
				t := mapping()
				t.Content = append(t.Content, str("timeout"), num(c.Msticpy.HTTPTimeout))
				if c.Msticpy.ConnectTimeout > 0 {
					t.Content = append(t.Content, str("connect"), num(c.Msticpy.ConnectTimeout))
				}
				m.Content = append(m.Content, str("http_timeout"), t)
			}
			if len(c.Msticpy.Proxies) > 0 {
				pm := mapping()
				keys := make([]string, 0, len(c.Msticpy.Proxies))
				for s := range c.Msticpy.Proxies {
					keys = append(keys, s)
				}
				sort.Strings(keys)
				for _, s := range keys {
					u := c.Msticpy.Proxies[s]
					if pw := proxyPassword(u); pw != "" {
						u = replaceOnce(u, ":"+pw+"@", ":"+Redacted+"@")
					}
					pm.Content = append(pm.Content, str(s), str(u))
				}
				m.Content = append(m.Content, str("Proxies"), pm)
			}
			add("msticpy", m)
		default:
			if n, ok := c.Unknown[k]; ok {
				add(k, redactNode(n, false, 0))
			}
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("config: rendering: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func entriesNode(es []ProviderEntry) *yaml.Node {
	m := mapping()
	for _, e := range es {
		en := mapping()
		en.Content = append(en.Content, str("Provider"), str(e.Provider), str("Primary"), boolNode(e.Primary))
		if e.Description != "" {
			en.Content = append(en.Content, str("Description"), str(e.Description))
		}
		if len(e.Args) > 0 {
			en.Content = append(en.Content, str("Args"), settingsNode(e.Args))
		}
		for _, s := range e.Extra {
			en.Content = append(en.Content, str(s.Key), settingNode(s))
		}
		for _, s := range e.Ignored {
			n := settingNode(s)
			if s.written != nil {
				n = redactNode(s.written, LooksSecret(s.Key), 0)
			}
			k := str(s.Key)
			k.HeadComment = "ignored: not read by msticgo (settings go under Args)"
			en.Content = append(en.Content, k, n)
		}
		k := str(e.Name)
		if e.Status != "" {
			k.LineComment = e.Status
		}
		m.Content = append(m.Content, k, en)
	}
	return m
}

func settingsNode(ss []Setting) *yaml.Node {
	m := mapping()
	for _, s := range ss {
		m.Content = append(m.Content, str(s.Key), settingNode(s))
	}
	return m
}

func settingNode(s Setting) *yaml.Node {
	var n *yaml.Node
	switch {
	case s.Secret:
		n = str(Redacted)
		switch {
		case s.EnvVar != "" && s.Resolved:
			n.LineComment = "from environment variable " + s.EnvVar
		case s.EnvVar != "":
			n.LineComment = "environment variable " + s.EnvVar + " not set"
		case s.IsKeyVault:
			n.LineComment = "Key Vault reference (not supported yet)"
		case !s.Resolved:
			n.LineComment = s.Reason
		}
	case s.Values != nil:
		vs := make([]string, len(s.Values))
		for i, v := range s.Values {
			vs[i] = maskURLPasswords(v)
		}
		n = strList(vs)
	default:
		// a URL's user-info password is a secret whatever the key (BaseURL)
		n = str(maskURLPasswords(s.Value))
	}
	return n
}

// redactNode copies a node, masking scalars under secret-looking keys and
// the user-info password of any URL.
func redactNode(n *yaml.Node, secret bool, depth int) *yaml.Node {
	if n == nil || depth > maxDepth {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
	n = deref(n)
	switch n.Kind {
	case yaml.ScalarNode:
		if secret && !isNull(n) {
			return str(Redacted)
		}
		cp := *n
		cp.Anchor, cp.HeadComment, cp.LineComment, cp.FootComment = "", "", "", ""
		if m := maskURLPasswords(cp.Value); m != cp.Value {
			cp.Value, cp.Tag, cp.Style = m, "!!str", 0
		}
		return &cp
	case yaml.SequenceNode:
		out := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, c := range n.Content {
			out.Content = append(out.Content, redactNode(c, secret, depth+1))
		}
		return out
	case yaml.MappingNode:
		out := mapping()
		for _, kv := range pairs(n) {
			out.Content = append(out.Content, str(kv[0].Value), redactNode(kv[1], secret || LooksSecret(kv[0].Value), depth+1))
		}
		return out
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
}

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} }

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func boolNode(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}

func num(f float64) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Value: strconv.FormatFloat(f, 'f', -1, 64)}
}

func strList(ss []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	if len(ss) == 0 {
		n.Style = yaml.FlowStyle
	}
	for _, s := range ss {
		n.Content = append(n.Content, str(s))
	}
	return n
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func replaceOnce(s, old, repl string) string {
	return string(bytes.Replace([]byte(s), []byte(old), []byte(repl), 1))
}
