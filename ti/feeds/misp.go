package feeds

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/msticgo/msticgo/lookup"
)

type mispAttribute struct {
	ID       string `json:"id"`
	UUID     string `json:"uuid"`
	Type     string `json:"type"`
	Category string `json:"category"`
	Value    string `json:"value"`
	Comment  string `json:"comment"`
	Deleted  bool   `json:"deleted"`
}

type mispObject struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Attribute []mispAttribute `json:"Attribute"`
}

type mispEvent struct {
	ID          string          `json:"id"`
	UUID        string          `json:"uuid"`
	Info        string          `json:"info"`
	ThreatLevel json.RawMessage `json:"threat_level_id"`
	Attribute   []mispAttribute `json:"Attribute"`
	Object      []mispObject    `json:"Object"`
}

type mispWrap struct {
	Event *mispEvent `json:"Event"`
}

// mispTypes maps MISP attribute types (or parts of composite types) to ioc types.
var mispTypes = map[string]string{
	"ip-src": "ip", "ip-dst": "ip", "ip": "ip",
	"domain": "dns", "hostname": "dns",
	"url": "url", "link": "url",
	"md5": "md5_hash", "sha1": "sha1_hash", "sha256": "sha256_hash",
	"email": "email", "email-src": "email", "email-dst": "email", "email-reply-to": "email",
}

// mispSeverity maps threat_level_id: 1 high, 2 medium → warning, 3 low →
// information; 4 (undefined) or missing → the file's default severity.
func mispSeverity(raw json.RawMessage, def lookup.Severity) lookup.Severity {
	s := strings.Trim(string(raw), `" `)
	switch s {
	case "1":
		return lookup.SevHigh
	case "2":
		return lookup.SevWarning
	case "3":
		return lookup.SevInformation
	}
	return def
}

// parseMISP reads MISP events in the shapes MISP exports: {"response":
// [{"Event": ...}]}, a bare {"Event": ...}, or a list of {"Event": ...}.
// Attributes and the attributes of Objects are read; composite types such
// as filename|sha1 or domain|ip contribute each indicator part. Deleted
// attributes and non-indicator types (text, filename...) are skipped.
func parseMISP(data []byte, opt fileOptions) (*parsed, error) {
	p := &parsed{Format: "misp"}
	var events []*mispEvent
	var top struct {
		Response json.RawMessage `json:"response"`
		Event    *mispEvent      `json:"Event"`
	}
	var list []mispWrap
	switch err := json.Unmarshal(data, &top); {
	case err == nil && top.Event != nil:
		events = append(events, top.Event)
	case err == nil && len(top.Response) > 0:
		if err := json.Unmarshal(top.Response, &list); err != nil {
			var one mispWrap
			if err2 := json.Unmarshal(top.Response, &one); err2 != nil || one.Event == nil {
				return nil, fmt.Errorf("response: %w", err)
			}
			list = []mispWrap{one}
		}
	case err == nil:
		return nil, fmt.Errorf("no MISP Event found (want {\"Event\": ...} or {\"response\": [...]})")
	default:
		if err2 := json.Unmarshal(data, &list); err2 != nil {
			return nil, jsonErr(data, err)
		}
	}
	for _, w := range list {
		if w.Event != nil {
			events = append(events, w.Event)
		}
	}
	for _, ev := range events {
		sev := mispSeverity(ev.ThreatLevel, opt.Severity)
		add := func(a mispAttribute, where string) {
			ref := "attribute " + a.ID
			if a.ID == "" {
				ref = "attribute " + a.UUID
			}
			if where != "" {
				ref = where + " " + ref
			}
			ref = "event " + ev.ID + " " + ref
			if a.Deleted {
				return
			}
			types := strings.Split(strings.ToLower(a.Type), "|")
			values := []string{a.Value}
			if len(types) > 1 {
				values = strings.SplitN(a.Value, "|", len(types))
				if len(values) != len(types) {
					p.skip("%s: composite %s value %q has %d parts", ref, a.Type, clip(a.Value), len(values))
					return
				}
			}
			info := ev.Info
			if a.Comment != "" {
				info += ": " + a.Comment
			}
			for i, t := range types {
				it, ok := mispTypes[t]
				if !ok {
					continue
				}
				var n Normalised
				if it == "ip" {
					n, ok = normIP(strings.TrimSpace(values[i]))
				} else {
					n, ok = Normalise(values[i], it)
				}
				if !ok {
					p.skip("%s: %q is not a valid %s", ref, clip(values[i]), t)
					continue
				}
				p.Indicators = append(p.Indicators, Indicator{Value: n, Severity: sev, Suffix: opt.Suffix, Ref: ref, Info: info})
			}
		}
		for _, a := range ev.Attribute {
			add(a, "")
		}
		for _, o := range ev.Object {
			for _, a := range o.Attribute {
				add(a, "object "+o.ID+" ("+o.Name+")")
			}
		}
	}
	return p, nil
}
