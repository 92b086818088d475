package lookup

import "github.com/msticgo/msticgo/table"

// Columns returns the result columns of a mode. TI: Ioc, IocType, SafeIoc,
// QuerySubtype, Provider, Result, Severity, Details, RawResult, Reference,
// Status (MSTICPy's number), StatusName. Context: Observable,
// ObservableType, SafeObservable, Provider, Result, Details, RawResult,
// Reference, Status, StatusName.
func Columns(mode Mode) []table.Column {
	if mode == ModeContext {
		return []table.Column{
			{Name: "Observable", Type: table.String},
			{Name: "ObservableType", Type: table.String},
			{Name: "SafeObservable", Type: table.String},
			{Name: "Provider", Type: table.String},
			{Name: "Result", Type: table.Bool},
			{Name: "Details", Type: table.Any},
			{Name: "RawResult", Type: table.Any},
			{Name: "Reference", Type: table.String},
			{Name: "Status", Type: table.Int},
			{Name: "StatusName", Type: table.String},
		}
	}
	return []table.Column{
		{Name: "Ioc", Type: table.String},
		{Name: "IocType", Type: table.String},
		{Name: "SafeIoc", Type: table.String},
		{Name: "QuerySubtype", Type: table.String},
		{Name: "Provider", Type: table.String},
		{Name: "Result", Type: table.Bool},
		{Name: "Severity", Type: table.String},
		{Name: "Details", Type: table.Any},
		{Name: "RawResult", Type: table.Any},
		{Name: "Reference", Type: table.String},
		{Name: "Status", Type: table.Int},
		{Name: "StatusName", Type: table.String},
	}
}

// NewFrame returns an empty frame with the mode's columns.
func NewFrame(mode Mode) *table.Frame { return table.New(Columns(mode)...) }

// Frame builds a frame from rows, in the order given.
func Frame(mode Mode, rows []Row) *table.Frame {
	f := NewFrame(mode)
	f.Rows = make([][]any, 0, len(rows))
	for _, r := range rows {
		f.Rows = append(f.Rows, r.Values(mode))
	}
	return f
}

// Values returns the row's values in the order of Columns(mode). Empty
// strings become nil (MSTICPy's None): SafeIoc for invalid input,
// QuerySubtype when none, Reference when none. Details carries the
// provider's details, or the one-line message for any other status.
func (r Row) Values(mode Mode) []any {
	res := r.Result
	var details any = res.Details
	if details == nil && res.Message != "" {
		details = res.Message
	} else if details == nil {
		details = ""
	}
	var safe any
	if r.Result.Status != StatusInvalid && r.Item.Value != "" {
		safe = r.Item.Value
	}
	typ := r.Item.Type
	found := res.Status == StatusFound || (res.Status.OK() && res.Found)
	if mode == ModeContext {
		return []any{r.Item.Ioc, typ, safe, r.Provider, found, details, res.RawResult,
			nilIfEmpty(res.Reference), int64(res.Status.Code()), res.Status.String()}
	}
	return []any{r.Item.Ioc, typ, safe, nilIfEmpty(r.Item.SubType), r.Provider, found,
		res.Severity.String(), details, res.RawResult, nilIfEmpty(res.Reference),
		int64(res.Status.Code()), res.Status.String()}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
