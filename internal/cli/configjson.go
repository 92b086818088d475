package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// yamlToJSON converts a YAML document to JSON, keeping the order of keys:
// integers and floats become numbers, booleans and null their JSON values,
// every other scalar a string. indent pretty-prints it.
func yamlToJSON(doc []byte, indent bool) ([]byte, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(doc, &n); err != nil {
		return nil, fmt.Errorf("config show: %w", err)
	}
	var b bytes.Buffer
	if len(n.Content) == 0 {
		b.WriteString("{}")
	} else if err := writeJSONNode(&b, n.Content[0], 0); err != nil {
		return nil, fmt.Errorf("config show: %w", err)
	}
	if !indent {
		return b.Bytes(), nil
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b.Bytes(), "", "  "); err != nil {
		return nil, fmt.Errorf("config show: %w", err)
	}
	return out.Bytes(), nil
}

func writeJSONNode(b *bytes.Buffer, n *yaml.Node, depth int) error {
	if depth > 100 {
		return fmt.Errorf("nested too deeply")
	}
	switch n.Kind {
	case yaml.AliasNode:
		return writeJSONNode(b, n.Alias, depth+1)
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(n.Content[i].Value)
			b.Write(k)
			b.WriteByte(':')
			if err := writeJSONNode(b, n.Content[i+1], depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSONNode(b, c, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	default:
		switch n.Tag {
		case "!!null":
			b.WriteString("null")
			return nil
		case "!!bool":
			if v, err := strconv.ParseBool(n.Value); err == nil {
				b.WriteString(strconv.FormatBool(v))
				return nil
			}
		case "!!int", "!!float":
			if json.Valid([]byte(n.Value)) {
				b.WriteString(n.Value)
				return nil
			}
		}
		s, _ := json.Marshal(n.Value)
		b.Write(s)
	}
	return nil
}
