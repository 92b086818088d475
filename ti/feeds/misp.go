package feeds

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/msticgo/msticgo/lookup"
)

type mispAttribute struct {
	ID       flexString `json:"id"`
	UUID     flexString `json:"uuid"`
	Type     flexString `json:"type"`
	Category flexString `json:"category"`
	Value    flexString `json:"value"`
	Comment  flexString `json:"comment"`
	Deleted  flexBool   `json:"deleted"`
}

type mispObject struct {
	ID        flexString        `json:"id"`
	Name      flexString        `json:"name"`
	Attribute []json.RawMessage `json:"Attribute"`
}

type mispEvent struct {
	ID          flexString        `json:"id"`
	UUID        flexString        `json:"uuid"`
	Info        flexString        `json:"info"`
	ThreatLevel json.RawMessage   `json:"threat_level_id"`
	Attribute   []json.RawMessage `json:"Attribute"`
	Object      []mispObject      `json:"Object"`
}

// decodeAttribute reads one attribute; an error names the key whose value
// cannot be read.
func decodeAttribute(raw json.RawMessage) (mispAttribute, error) {
	var a mispAttribute
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return a, fmt.Errorf("an attribute must be a JSON object, not %s", te.Value)
		}
		return a, err
	}
	// in this order, so an error after the ids still has them for its message
	for _, f := range []struct {
		key string
		dst *flexString
	}{{"id", &a.ID}, {"uuid", &a.UUID}, {"type", &a.Type}, {"category", &a.Category}, {"value", &a.Value}, {"comment", &a.Comment}} {
		if v, ok := m[f.key]; ok {
			if err := f.dst.UnmarshalJSON(v); err != nil {
				return a, fmt.Errorf("%s: %w", f.key, err)
			}
		}
	}
	if v, ok := m["deleted"]; ok {
		if err := a.Deleted.UnmarshalJSON(v); err != nil {
			return a, fmt.Errorf("deleted: %w", err)
		}
	}
	return a, nil
}

// flexString reads a JSON string, number, boolean or null as text: MISP
// exports from other tools write ids and even values as numbers.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case nil:
		*f = ""
	case string:
		*f = flexString(x)
	case float64, bool:
		*f = flexString(strings.TrimSpace(string(b)))
	default:
		return fmt.Errorf("want text, got a JSON %s", jsonKind(v))
	}
	return nil
}

// flexBool reads true/false, 0/1 or "0"/"1" (MISP writes all three).
type flexBool bool

func (f *flexBool) UnmarshalJSON(b []byte) error {
	switch strings.Trim(strings.TrimSpace(string(b)), `"`) {
	case "true", "1":
		*f = true
	case "false", "0", "", "null":
		*f = false
	default:
		return fmt.Errorf("want true or false, got %s", clip(string(b)))
	}
	return nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
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
				return nil, jsonErrAt(data, top.Response, fmt.Errorf("response: %w", err))
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
		add := func(raw json.RawMessage, pos int, where string) {
			a, err := decodeAttribute(raw)
			ref := "attribute " + string(a.ID)
			switch {
			case a.ID != "":
			case a.UUID != "":
				ref = "attribute " + string(a.UUID)
			default:
				ref = fmt.Sprintf("attribute %d", pos+1)
			}
			if where != "" {
				ref = where + " " + ref
			}
			ref = "event " + string(ev.ID) + " " + ref
			if err != nil {
				p.skip("%s (line %d): not read: %v", ref, lineAt(data, raw), err)
				return
			}
			if a.Deleted {
				return
			}
			types := strings.Split(strings.ToLower(string(a.Type)), "|")
			values := []string{string(a.Value)}
			if len(types) > 1 {
				values = strings.SplitN(string(a.Value), "|", len(types))
				if len(values) != len(types) {
					p.skip("%s: composite %s value %q has %d parts", ref, a.Type, clip(string(a.Value)), len(values))
					return
				}
			}
			info := string(ev.Info)
			if a.Comment != "" {
				info += ": " + string(a.Comment)
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
		for i, a := range ev.Attribute {
			add(a, i, "")
		}
		for _, o := range ev.Object {
			for i, a := range o.Attribute {
				add(a, i, "object "+string(o.ID)+" ("+string(o.Name)+")")
			}
		}
	}
	return p, nil
}
