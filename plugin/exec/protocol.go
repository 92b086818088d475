package exec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Method names of protocol version 1.
const (
	MethodInitialize = "initialize"
	MethodHealth     = "health"
	MethodLookup     = "lookup"
	MethodConnect    = "connect"
	MethodQuery      = "query"
	MethodCancel     = "cancel"
	MethodShutdown   = "shutdown"

	// Notifications from the plugin.
	NotifyLookupResult = "lookup/result"
	NotifyQueryColumns = "query/columns"
	NotifyQueryRows    = "query/rows"
	NotifyLog          = "log"
)

// Error kinds a plugin may put in error.data.kind.
const (
	KindConfig      = "config"
	KindAuth        = "auth"
	KindRateLimited = "rate_limited"
	KindUnsupported = "unsupported"
	KindUpstream    = "upstream"
	KindTimeout     = "timeout"
	KindInternal    = "internal"
)

// MaxLine is the longest protocol line accepted (16 MiB).
const MaxLine = 16 << 20

// Message is one JSON-RPC 2.0 shaped message: a request (ID and Method), a
// notification (Method, no ID) or a response (ID and Result or Error).
type Message struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      *int64          `json:"id,omitempty"`
	Method  string          `json:"method,omitempty"`
	Params  json.RawMessage `json:"params,omitempty"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *RPCError       `json:"error,omitempty"`
}

// RPCError is the error object of a response.
type RPCError struct {
	Code    int        `json:"code"`
	Message string     `json:"message"`
	Data    *ErrorData `json:"data,omitempty"`
}

// ErrorData carries msticgo's error kind and a retry hint.
type ErrorData struct {
	Kind       string  `json:"kind,omitempty"`
	RetryAfter float64 `json:"retry_after,omitempty"` // seconds
}

func (e *RPCError) Error() string {
	if e.Data != nil && e.Data.Kind != "" {
		return fmt.Sprintf("%s error: %s", e.Data.Kind, e.Message)
	}
	return e.Message
}

// Kind returns the error kind, "internal" when none was given.
func (e *RPCError) Kind() string {
	if e.Data != nil && e.Data.Kind != "" {
		return e.Data.Kind
	}
	return KindInternal
}

// IsResponse reports whether the message answers a request.
func (m *Message) IsResponse() bool { return m.ID != nil && m.Method == "" }

// ProtocolError is a stdout line that is not a protocol message. Line holds
// the offending text (shortened).
type ProtocolError struct {
	Line   string
	Reason string
}

func (e *ProtocolError) Error() string {
	return fmt.Sprintf("malformed protocol line from plugin (%s): %q", e.Reason, e.Line)
}

// DecodeLine decodes and checks one line written by a plugin.
func DecodeLine(line []byte) (*Message, error) {
	line = bytes.TrimRight(line, "\r\n")
	fail := func(reason string) (*Message, error) {
		return nil, &ProtocolError{Line: Quote(line, 200), Reason: reason}
	}
	if len(line) > MaxLine {
		return fail("line longer than 16 MiB")
	}
	t := bytes.TrimSpace(line)
	if len(t) == 0 {
		return fail("empty line")
	}
	if t[0] != '{' {
		return fail("not a JSON object")
	}
	var m Message
	if err := json.Unmarshal(t, &m); err != nil {
		return fail("invalid JSON: " + shortJSONErr(err))
	}
	if m.JSONRPC != "2.0" {
		return fail(`"jsonrpc" must be "2.0"`)
	}
	switch {
	case m.Method != "":
		if m.Result != nil || m.Error != nil {
			return fail("a message has either a method or a result/error, not both")
		}
	case m.ID == nil:
		return fail(`a message needs "method" or "id"`)
	case m.Result == nil && m.Error == nil:
		return fail(`a response needs "result" or "error"`)
	case m.Result != nil && m.Error != nil:
		return fail(`a response has "result" or "error", not both`)
	}
	return &m, nil
}

// Quote shortens b for an error message, keeping it valid UTF-8.
func Quote(b []byte, max int) string {
	s := string(b)
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strings.ToValidUTF8(s, "�")
}

func shortJSONErr(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s at byte %d", se.Error(), se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q has the wrong type (%s)", te.Field, te.Value)
	}
	return err.Error()
}

// encodeRequest writes one request or notification line.
func encodeRequest(buf *bytes.Buffer, id int64, method string, params any) error {
	buf.Reset()
	buf.WriteString(`{"jsonrpc":"2.0",`)
	if id > 0 {
		fmt.Fprintf(buf, `"id":%d,`, id)
	}
	buf.WriteString(`"method":`)
	mb, _ := json.Marshal(method)
	buf.Write(mb)
	if params != nil {
		buf.WriteString(`,"params":`)
		pb, err := json.Marshal(params)
		if err != nil {
			return fmt.Errorf("encode %s params: %w", method, err)
		}
		buf.Write(pb)
	}
	buf.WriteString("}\n")
	return nil
}

// Wire types of protocol version 1.

// InitializeParams is sent by the host first.
type InitializeParams struct {
	ProtocolVersions []int          `json:"protocol_versions"`
	HostVersion      string         `json:"host_version"`
	LoadedAs         string         `json:"loaded_as"`
	Entry            string         `json:"entry"`
	Kind             string         `json:"kind"`
	Settings         map[string]any `json:"settings"`
	LogLevel         string         `json:"log_level"`
}

// InitializeResult is the plugin's answer.
type InitializeResult struct {
	Protocol       int      `json:"protocol"`
	PluginVersion  string   `json:"plugin_version"`
	Capabilities   []string `json:"capabilities"`
	SupportedTypes []string `json:"supported_types"`
}

// WireItem is one item of a lookup batch.
type WireItem struct {
	ID           string `json:"id"`
	Ioc          string `json:"ioc"`
	IocType      string `json:"ioc_type"`
	QuerySubtype string `json:"query_subtype,omitempty"`
	Value        string `json:"value,omitempty"`
}

// LookupParams is the params of a lookup request.
type LookupParams struct {
	Items []WireItem `json:"items"`
}

// WireResult is one item's result, in a lookup reply or a lookup/result
// notification.
type WireResult struct {
	ID         string          `json:"id"`
	Status     string          `json:"status"`
	Found      *bool           `json:"found"`
	Severity   string          `json:"severity"`
	Details    any             `json:"details"`
	Raw        any             `json:"raw"`
	Reference  string          `json:"reference"`
	Message    string          `json:"message"`
	ErrorKind  string          `json:"error_kind"`
	RetryAfter float64         `json:"retry_after"`
	Extra      json.RawMessage `json:"-"`
}

// LookupReply is the final result of a lookup request.
type LookupReply struct {
	Results []WireResult `json:"results"`
}

// ResultNote is the params of a lookup/result notification.
type ResultNote struct {
	RequestID int64      `json:"request_id"`
	Result    WireResult `json:"result"`
}

// QueryParams is the params of a query request.
type QueryParams struct {
	Text  string `json:"text"`
	Args  []any  `json:"args,omitempty"`
	Limit int    `json:"limit,omitempty"`
}

// WireColumn is a column in query/columns.
type WireColumn struct {
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
}

// ColumnsNote is the params of query/columns.
type ColumnsNote struct {
	RequestID int64        `json:"request_id"`
	Columns   []WireColumn `json:"columns"`
}

// RowsNote is the params of query/rows.
type RowsNote struct {
	RequestID int64             `json:"request_id"`
	Rows      []json.RawMessage `json:"rows"`
}

// QueryReply is the final result of a query request.
type QueryReply struct {
	RowCount  *int              `json:"row_count"`
	Truncated bool              `json:"truncated"`
	Partial   bool              `json:"partial"`
	Code      string            `json:"code"`
	Columns   []WireColumn      `json:"columns"`
	Rows      []json.RawMessage `json:"rows"`
}

// LogNote is the params of a log notification.
type LogNote struct {
	Level   string `json:"level"`
	Message string `json:"message"`
}
