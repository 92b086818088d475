// Package postgres owns msticgo's PostgreSQL data driver (pgx v5, a
// connection pool), registered as the data environment "PostgreSQL"
// (alias "Postgres").
//
// Settings (DataProviders.PostgreSQL.Args in msticpyconfig.yaml, keys
// matched ignoring case and underscores): Host, Port, Database, User,
// Password (a secret: write it as an EnvironmentVar reference), SSLMode,
// ConnectTimeout (seconds, default 10), ApplicationName, or a
// ConnectionString (URL or key=value form) that the individual settings
// override. A connection string given to Connect replaces the configured
// one. A ConnectionString pgx cannot parse (a port that is not a number, a
// bad key) is refused by ParseSettings, like a bad Port setting, so it wraps
// data.ErrSettings (a configuration error that config validate reports);
// one given to Connect that does not parse wraps data.ErrSettings too. The
// password never appears in errors or logs: pgx error texts are scrubbed of
// it.
//
// Queries are SQL with $1, $2, ... bound parameters (data.Query.Args).
// Column types map to frame types (integers → int, real/double/numeric →
// float, boolean → bool, date/timestamp/timestamptz → time in UTC,
// json/jsonb/arrays → any, everything else (text, uuid, inet, interval...)
// → string). A query the server refuses (SQLSTATE classes 0A, 21, 22, 23,
// 42, 44) wraps data.ErrRejected; a server that cannot be reached, refuses
// the login or drops the connection wraps data.ErrConnect.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/netip"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/msticgo/msticgo/data"
	"github.com/msticgo/msticgo/internal/redact"
	"github.com/msticgo/msticgo/registry"
	"github.com/msticgo/msticgo/table"
)

// Name is the data environment this package registers.
const Name = "PostgreSQL"

func init() {
	registry.Default.MustRegister(registry.Registration{
		Kind:        registry.KindData,
		Name:        Name,
		Aliases:     []string{"Postgres"},
		Description: "PostgreSQL server (pgx); SQL with bound parameters",
		Source:      registry.Builtin,
		Factory: func(ctx context.Context, a registry.FactoryArgs) (any, error) {
			o, err := ParseSettings(a.Settings)
			if err != nil {
				return nil, fmt.Errorf("data provider %s: %w: %w", a.Entry, data.ErrSettings, err)
			}
			return New(o, a.Logger), nil
		},
		Meta: map[string]any{"dialect": "sql", "effective_environment": Name, "settings": []string{"Host", "Port", "Database", "User", "Password", "SSLMode", "ConnectTimeout", "ApplicationName", "ConnectionString"}},
	})
}

// Options are the connection settings.
type Options struct {
	ConnectionString string
	Host             string
	Port             uint16
	Database         string
	User             string
	Password         string
	SSLMode          string
	ConnectTimeout   time.Duration
	ApplicationName  string
}

var settingKeys = map[string]string{
	"host": "Host", "port": "Port", "database": "Database", "dbname": "Database", "user": "User",
	"username": "User", "password": "Password", "sslmode": "SSLMode", "connecttimeout": "ConnectTimeout",
	"applicationname": "ApplicationName", "connectionstring": "ConnectionString", "dsn": "ConnectionString",
}

// ParseSettings reads the provider's settings; an unknown key or a bad
// value is an error naming it (never showing the password).
func ParseSettings(s map[string]string) (Options, error) {
	o := Options{ConnectTimeout: 10 * time.Second}
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := strings.TrimSpace(s[k])
		canon, ok := settingKeys[strings.ToLower(strings.ReplaceAll(k, "_", ""))]
		if !ok {
			return o, fmt.Errorf("unknown PostgreSQL setting %q (valid: Host, Port, Database, User, Password, SSLMode, ConnectTimeout, ApplicationName, ConnectionString)", k)
		}
		switch canon {
		case "Host":
			o.Host = v
		case "Port":
			if v == "" {
				continue
			}
			n, err := strconv.ParseUint(v, 10, 16)
			if err != nil || n == 0 {
				return o, fmt.Errorf("PostgreSQL setting Port: %q is not a port number", v)
			}
			o.Port = uint16(n)
		case "Database":
			o.Database = v
		case "User":
			o.User = v
		case "Password":
			o.Password = s[k] // kept exactly
		case "SSLMode":
			switch strings.ToLower(v) {
			case "", "disable", "allow", "prefer", "require", "verify-ca", "verify-full":
				o.SSLMode = strings.ToLower(v)
			default:
				return o, fmt.Errorf("PostgreSQL setting SSLMode: %q is not one of disable, allow, prefer, require, verify-ca, verify-full", v)
			}
		case "ConnectTimeout":
			if v == "" {
				continue
			}
			n, err := strconv.ParseFloat(v, 64)
			if err != nil || n <= 0 {
				return o, fmt.Errorf("PostgreSQL setting ConnectTimeout: %q is not a positive number of seconds", v)
			}
			o.ConnectTimeout = time.Duration(n * float64(time.Second))
		case "ApplicationName":
			o.ApplicationName = v
		case "ConnectionString":
			o.ConnectionString = s[k]
		}
	}
	if strings.TrimSpace(o.ConnectionString) != "" {
		// Parsed here, as pgx will parse it on Connect, so a string of the
		// wrong form (a port that is not a number, a bad key) is a settings
		// error that config validate reports, like a bad Port setting.
		if _, err := pgconn.ParseConfig(o.ConnectionString); err != nil {
			return o, errors.New("PostgreSQL setting ConnectionString: cannot parse " + scrubText(parseError(o.ConnectionString, err), collectSecrets(o.Password, o.ConnectionString)))
		}
	}
	return o, nil
}

// Driver is the PostgreSQL driver; safe for concurrent queries once
// connected.
type Driver struct {
	opts   Options
	logger *slog.Logger
	pool   *pgxpool.Pool
	conn   string
	// secrets are the strings scrubbed from error texts.
	secrets []string
}

// New returns an unconnected driver.
func New(o Options, logger *slog.Logger) *Driver {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Driver{opts: o, logger: logger}
}

// Dialect reports "sql" ($n bound parameters).
func (d *Driver) Dialect() string { return "sql" }

// CurrentConnection describes the server (user@host:port/database; never
// the password).
func (d *Driver) CurrentConnection() string { return d.conn }

// Connect opens a connection pool and checks that the server answers. A
// non-empty connStr replaces the ConnectionString setting.
func (d *Driver) Connect(ctx context.Context, connStr string) error {
	if d.pool != nil {
		return nil
	}
	cs := d.opts.ConnectionString
	if strings.TrimSpace(connStr) != "" {
		cs = connStr
	}
	d.secrets = collectSecrets(d.opts.Password, cs)
	cfg, err := pgxpool.ParseConfig(cs)
	if err != nil {
		return d.scrub(errors.New("postgres: bad connection settings: cannot parse ConnectionString "+parseError(cs, err)), data.ErrSettings)
	}
	cc := cfg.ConnConfig
	if d.opts.Host != "" {
		cc.Host = d.opts.Host
		cc.Fallbacks = nil
	}
	if d.opts.Port != 0 {
		cc.Port = d.opts.Port
		for _, f := range cc.Fallbacks {
			f.Port = d.opts.Port
		}
	}
	if d.opts.Database != "" {
		cc.Database = d.opts.Database
	}
	if d.opts.User != "" {
		cc.User = d.opts.User
	}
	if d.opts.Password != "" {
		cc.Password = d.opts.Password
	}
	if cc.Password != "" {
		d.secrets = collectSecrets(append(d.secrets, cc.Password)...)
	}
	if d.opts.SSLMode != "" {
		// Rebuild TLS settings for the chosen mode from a minimal string.
		tmp, err := pgconn.ParseConfig("sslmode=" + d.opts.SSLMode + " host=" + quoteKV(cc.Host))
		if err != nil {
			return d.scrub(fmt.Errorf("postgres: SSLMode: %w", err), data.ErrConnect)
		}
		cc.TLSConfig = tmp.TLSConfig
		cc.Fallbacks = nil
		for _, f := range tmp.Fallbacks {
			cc.Fallbacks = append(cc.Fallbacks, &pgconn.FallbackConfig{Host: cc.Host, Port: cc.Port, TLSConfig: f.TLSConfig})
		}
	}
	if d.opts.ConnectTimeout > 0 {
		cc.ConnectTimeout = d.opts.ConnectTimeout
	}
	if d.opts.ApplicationName != "" {
		cc.RuntimeParams["application_name"] = d.opts.ApplicationName
	} else if cc.RuntimeParams["application_name"] == "" {
		cc.RuntimeParams["application_name"] = "msticgo"
	}
	cc.RuntimeParams["timezone"] = "UTC"
	d.conn = fmt.Sprintf("%s@%s:%d/%s", cc.User, cc.Host, cc.Port, cc.Database)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return d.scrub(fmt.Errorf("postgres: connecting to %s: %w", d.conn, err), data.ErrConnect)
	}
	pctx, cancel := context.WithTimeout(ctx, cc.ConnectTimeout+time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return d.scrub(fmt.Errorf("postgres: connecting to %s: %w", d.conn, err), data.ErrConnect)
	}
	d.pool = pool
	d.logger.Debug("postgres connected", "server", d.conn)
	return nil
}

// passwordKeyRE finds a password key (password=, sslpassword=) in a
// connection string.
var passwordKeyRE = regexp.MustCompile(`(?i)password\s*=`)

// goQuotedRE finds a Go-quoted string (%q) in an error text.
var goQuotedRE = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// parseError describes a connection string pgx refused (the string as
// shown and pgx's reason; callers scrub secrets from it too). pgx's own text
// masks the password only as far as it can tell where it ends, which a
// malformed string (a stray quote) makes a guess, and its reasons quote
// words of the string. Here the string is shown with everything after
// "password=" and a URL's user info masked, and a quoted word of pgx's
// reason is kept only when the masked string shows it anyway.
func parseError(cs string, err error) string {
	var pce *pgconn.ParseConfigError
	if !errors.As(err, &pce) {
		return err.Error()
	}
	shown := maskConnString(cs)
	full := pce.Error()
	inner := errors.Unwrap(pce)
	if inner != nil {
		full = strings.TrimSuffix(full, " ("+inner.Error()+")")
	}
	reason := "not a valid connection string"
	if i := strings.LastIndex(full, "`: "); i >= 0 {
		reason = full[i+3:]
	}
	reason = safeQuotes(reason, shown)
	if inner != nil {
		reason += " (" + safeQuotes(inner.Error(), shown) + ")"
	}
	return "`" + shown + "`: " + strings.ToValidUTF8(reason, "\uFFFD")
}

// maskConnString shows a connection string with a URL's password (its
// whole user info when the URL does not parse) and everything after a
// password key as ***.
func maskConnString(cs string) string {
	out := cs
	if i := strings.Index(out, "://"); i >= 0 {
		if _, err := url.Parse(out); err == nil {
			out, _ = redact.MaskURLPasswords(out)
		} else if at := strings.LastIndexByte(out, '@'); at > i {
			out = out[:i+3] + redact.Mask + out[at:]
		}
	}
	if loc := passwordKeyRE.FindStringIndex(out); loc != nil {
		out = out[:loc[1]] + redact.Mask
	}
	return strings.ToValidUTF8(out, "\uFFFD")
}

// safeQuotes replaces each quoted word of text that shown does not hold
// with "***".
func safeQuotes(text, shown string) string {
	return goQuotedRE.ReplaceAllStringFunc(text, func(q string) string {
		if w, err := strconv.Unquote(q); err == nil && w != "" && strings.Contains(shown, w) {
			return q
		}
		return `"` + redact.Mask + `"`
	})
}

func quoteKV(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// collectSecrets returns the non-empty secrets plus their URL-encoded forms.
func collectSecrets(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s == "" {
			continue
		}
		out = append(out, s)
		if u, err := url.Parse(s); err == nil && u.User != nil {
			if p, ok := u.User.Password(); ok && p != "" {
				out = append(out, p, url.QueryEscape(p), url.PathEscape(p))
			}
		}
		out = append(out, url.QueryEscape(s), url.PathEscape(s))
	}
	// password=... in key/value connection strings
	for _, s := range ss {
		for _, f := range strings.Fields(s) {
			if v, ok := strings.CutPrefix(f, "password="); ok && v != "" {
				out = append(out, strings.Trim(v, "'"))
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// Error is a driver error whose text has been scrubbed of secrets. It
// matches data.ErrConnect or data.ErrRejected with errors.Is, and exposes
// the server's SQLSTATE (if any) through SQLState.
type Error struct {
	kind     error
	msg      string
	SQLState string
}

func (e *Error) Error() string { return e.msg }

// Unwrap makes errors.Is(err, data.ErrRejected/ErrConnect) work. The
// original pgx error is not exposed: its text could hold the password.
func (e *Error) Unwrap() error { return e.kind }

func (d *Driver) scrub(err error, kind error) error {
	e := &Error{kind: kind, msg: kind.Error() + ": " + scrubText(err.Error(), d.secrets)}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		e.SQLState = pe.Code
	}
	return e
}

// scrubText replaces each secret in msg with *** and makes it one line.
func scrubText(msg string, secrets []string) string {
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "***")
		}
	}
	return oneLine(msg)
}

// oneLine joins the lines of a multi-line error text (pgx lists every
// connection attempt on its own tab-indented line) with "; ", so the error
// reads as one line.
func oneLine(msg string) string {
	if !strings.ContainsAny(msg, "\r\n") {
		return msg
	}
	var b strings.Builder
	for _, l := range strings.FieldsFunc(msg, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if b.Len() > 0 {
			if !strings.HasSuffix(b.String(), ":") {
				b.WriteByte(';')
			}
			b.WriteByte(' ')
		}
		b.WriteString(l)
	}
	return b.String()
}

// classify picks the sentinel for a query error.
func classify(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && len(pe.Code) >= 2 {
		switch pe.Code[:2] {
		case "0A", "21", "22", "23", "42", "44", "2B", "3F", "26", "34":
			return data.ErrRejected
		}
		return data.ErrConnect
	}
	if pgconn.SafeToRetry(err) || pgconn.Timeout(err) {
		return data.ErrConnect
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return data.ErrConnect
	}
	// Errors raised before the query reaches the server (wrong number of
	// arguments, a Go value pgx cannot encode) are the caller's input.
	return data.ErrRejected
}

// Close releases the pool.
func (d *Driver) Close() error {
	if d.pool != nil {
		d.pool.Close()
		d.pool = nil
	}
	return nil
}

// Query runs one statement with bound Args and returns its rows (an empty
// frame for statements without rows). When q.Limit > 0 and more rows
// exist, the result is Truncated with Code "row_limit".
func (d *Driver) Query(ctx context.Context, q data.Query) (*data.Result, error) {
	if d.pool == nil {
		return nil, fmt.Errorf("%w: postgres: not connected (call Connect first)", data.ErrConnect)
	}
	rows, err := d.pool.Query(ctx, q.Text, q.Args...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("postgres: query cancelled: %w", ctx.Err())
		}
		return nil, d.scrub(fmt.Errorf("postgres: %w", err), classify(err))
	}
	defer rows.Close()
	fds := rows.FieldDescriptions()
	f := &table.Frame{Columns: make([]table.Column, len(fds))}
	for i, fd := range fds {
		f.Columns[i] = table.Column{Name: fd.Name, Type: kindOf(fd.DataTypeOID)}
	}
	f.UniqueColumns() // SELECT 1 a, 2 a: a, a.1
	truncated := false
	for rows.Next() {
		if q.Limit > 0 && f.Len() >= q.Limit {
			truncated = true
			break
		}
		vals, err := rows.Values()
		if err != nil {
			return nil, d.scrub(fmt.Errorf("postgres: reading row %d: %w", f.Len()+1, err), classify(err))
		}
		row := make([]any, len(vals))
		for i, v := range vals {
			row[i] = convert(v)
		}
		f.Rows = append(f.Rows, row)
	}
	rows.Close()
	if err := rows.Err(); err != nil && !truncated {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("postgres: query cancelled: %w", ctx.Err())
		}
		return nil, d.scrub(fmt.Errorf("postgres: %w", err), classify(err))
	}
	res := &data.Result{Frame: f, Truncated: truncated}
	if truncated {
		res.Code = fmt.Sprintf("row_limit: stopped after %d rows", q.Limit)
	}
	return res, nil
}

func kindOf(oid uint32) table.Type {
	switch oid {
	case pgtype.BoolOID:
		return table.Bool
	case pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID, pgtype.OIDOID, pgtype.XIDOID, pgtype.CIDOID:
		return table.Int
	case pgtype.Float4OID, pgtype.Float8OID, pgtype.NumericOID:
		return table.Float
	case pgtype.DateOID, pgtype.TimestampOID, pgtype.TimestamptzOID:
		return table.Time
	case pgtype.JSONOID, pgtype.JSONBOID, pgtype.ByteaOID:
		return table.Any
	case pgtype.TextArrayOID, pgtype.VarcharArrayOID, pgtype.Int4ArrayOID, pgtype.Int8ArrayOID, pgtype.Int2ArrayOID,
		pgtype.Float8ArrayOID, pgtype.Float4ArrayOID, pgtype.BoolArrayOID, pgtype.InetArrayOID, pgtype.UUIDArrayOID,
		pgtype.JSONBArrayOID, pgtype.JSONArrayOID, pgtype.TimestamptzArrayOID, pgtype.NumericArrayOID:
		return table.Any
	}
	return table.String
}

func convert(v any) any {
	switch x := v.(type) {
	case nil, string, bool, int64, float64:
		return x
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint32:
		return int64(x)
	case float32:
		return float64(x)
	case time.Time:
		return x.UTC()
	case pgtype.Numeric:
		f, err := x.Float64Value()
		if err != nil || !f.Valid {
			return nil
		}
		return f.Float64
	case *big.Int:
		f, _ := new(big.Float).SetInt(x).Float64()
		return f
	case [16]byte:
		return fmt.Sprintf("%x-%x-%x-%x-%x", x[0:4], x[4:6], x[6:8], x[8:10], x[10:16])
	case netip.Prefix:
		if x.Bits() == x.Addr().BitLen() {
			return x.Addr().String()
		}
		return x.String()
	case netip.Addr:
		return x.String()
	case pgtype.Interval:
		return fmt.Sprintf("%d months %d days %dus", x.Months, x.Days, x.Microseconds)
	case pgtype.Time:
		return (time.Duration(x.Microseconds) * time.Microsecond).String()
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = convert(e)
		}
		return out
	case map[string]any:
		return x
	case []byte:
		return x
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// Interface guards.
var (
	_ data.Driver  = (*Driver)(nil)
	_ data.Dialect = (*Driver)(nil)
	_ error        = (*Error)(nil)
)
