package feeds

import (
	"bytes"
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
	ID        flexString
	Name      flexString
	Attribute []json.RawMessage
}

type mispEvent struct {
	ID          flexString
	Info        flexString
	ThreatLevel json.RawMessage
	Attribute   []json.RawMessage
	Object      []mispObject
}

// decodeEvent reads one event leniently: a part of the wrong kind (an
// Attribute or Object that is not a list, an Object that is not a JSON
// object) is skipped and counted, naming the event and the line, and the
// rest of the event is still read; ids and an info that are not text are
// left empty, and an event without id or uuid is named by its place in the
// file ("event #2"). Only an event that is not a JSON object is an error.
func decodeEvent(p *parsed, data []byte, raw json.RawMessage, n int) (*mispEvent, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, fmt.Errorf("an Event must be a JSON object, not %s", rawKind(raw))
	}
	ev := &mispEvent{ThreatLevel: m["threat_level_id"]}
	_ = ev.ID.UnmarshalJSON(orNull(m["id"]))
	if ev.ID == "" {
		_ = ev.ID.UnmarshalJSON(orNull(m["uuid"]))
	}
	if ev.ID == "" {
		ev.ID = flexString(fmt.Sprintf("#%d", n)) // no id: its place in the file
	}
	ref := "event " + string(ev.ID)
	_ = ev.Info.UnmarshalJSON(orNull(m["info"])) // an info that is not text is left out
	ev.Attribute = rawList(p, data, m["Attribute"], ref+" Attribute")
	for i, o := range rawList(p, data, m["Object"], ref+" Object") {
		var om map[string]json.RawMessage
		if err := json.Unmarshal(o, &om); err != nil || om == nil {
			p.skip("%s object %d (line %d): not read: an Object must be a JSON object, not %s", ref, i+1, lineAt(data, o), rawKind(o))
			continue
		}
		var obj mispObject
		_ = obj.ID.UnmarshalJSON(orNull(om["id"]))
		_ = obj.Name.UnmarshalJSON(orNull(om["name"]))
		obj.Attribute = rawList(p, data, om["Attribute"], fmt.Sprintf("%s object %s (%s) Attribute", ref, obj.ID, obj.Name))
		ev.Object = append(ev.Object, obj)
	}
	return ev, nil
}

// rawList reads a JSON list; a missing key or null is an empty list, any
// other kind is skipped and counted under what.
func rawList(p *parsed, data []byte, raw json.RawMessage, what string) []json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var l []json.RawMessage
	if err := json.Unmarshal(raw, &l); err != nil {
		p.skip("%s (line %d): not read: want a list, got %s", what, lineAt(data, raw), rawKind(raw))
		return nil
	}
	return l
}

func orNull(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return json.RawMessage("null")
	}
	return raw
}

// rawKind names the kind of a JSON value for a message: "a string", ...
func rawKind(raw json.RawMessage) string {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '"':
		return "a string"
	case '[':
		return "a list"
	case '{':
		return "an object"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
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
		Event    json.RawMessage `json:"Event"`
	}
	var items []json.RawMessage
	switch err := json.Unmarshal(data, &top); {
	case err == nil && len(top.Event) > 0 && string(top.Event) != "null":
		ev, err := decodeEvent(p, data, top.Event, 1)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", lineAt(data, top.Event), err)
		}
		events = append(events, ev)
	case err == nil && len(top.Response) > 0:
		if err := json.Unmarshal(top.Response, &items); err != nil {
			var one map[string]json.RawMessage
			if err2 := json.Unmarshal(top.Response, &one); err2 != nil || one["Event"] == nil {
				return nil, jsonErrAt(data, top.Response, fmt.Errorf("response: %w", err))
			}
			items = []json.RawMessage{top.Response}
		}
	case err == nil:
		return nil, fmt.Errorf("no MISP Event found (want {\"Event\": ...} or {\"response\": [...]})")
	default:
		if err2 := json.Unmarshal(data, &items); err2 != nil {
			return nil, jsonErr(data, err)
		}
	}
	// Each item of a response or list is {"Event": ...}; an item of another
	// shape is skipped and counted, and the other events still load.
	for i, it := range items {
		var w map[string]json.RawMessage
		if err := json.Unmarshal(it, &w); err != nil || w == nil || len(w["Event"]) == 0 {
			p.skip("item %d (line %d): not read: want {\"Event\": ...}, got %s", i+1, lineAt(data, it), rawKind(it))
			continue
		}
		ev, err := decodeEvent(p, data, w["Event"], i+1)
		if err != nil {
			p.skip("item %d (line %d): not read: %v", i+1, lineAt(data, w["Event"]), err)
			continue
		}
		events = append(events, ev)
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
