package builtin

import (
	"encoding/json"
	"errors"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func asNotConfigured(err error, target *interface{ NotConfigured() bool }) bool {
	return errors.As(err, target)
}
