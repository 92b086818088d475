package lookup

import (
	"fmt"
	"strings"

	"github.com/msticgo/msticgo/ioc"
)

// IOCPreparer types and cleans inputs with package ioc (MSTICPy's
// pre-processing plus refanging, IDN and case normalisation): an explicit
// type always wins; an explicit type ioc does not know makes the item
// invalid input; an input whose type cannot be inferred stays type
// "unknown" (the engine reports it as an unsupported type).
func IOCPreparer(input, explicitType string) Prepared {
	t := ioc.Unknown
	if explicitType != "" {
		pt, err := ioc.ParseType(explicitType)
		if err != nil {
			return Prepared{Item: Item{Ioc: input, Type: explicitType}, Check: CheckInvalid, Reason: err.Error()}
		}
		t = pt
	}
	o := ioc.Preprocess(input, t)
	p := Prepared{Item: Item{Ioc: input, Type: string(o.Type), Value: o.Value}}
	switch o.Check {
	case ioc.Ok:
	case ioc.NotRoutable:
		p.Check, p.Reason = CheckNotRoutable, "not routable: "+o.Reason
	case ioc.Unsupported:
		p.Item.Type = string(ioc.Unknown)
		p.Reason = unknownReason(input)
	default:
		p.Check, p.Reason, p.Item.Value = CheckInvalid, o.Reason, ""
	}
	return p
}

// unknownReason says why an input that looks like a domain is not one
// (its last label is no public suffix, as in "cdn.evil.example"), else "".
// The engine adds it to "Type unknown not supported".
func unknownReason(input string) string {
	v := strings.TrimSuffix(strings.TrimSpace(input), ".")
	if !strings.Contains(v, ".") || strings.ContainsAny(v, " \t/:@\\") {
		return ""
	}
	tld := v[strings.LastIndex(v, ".")+1:]
	if strings.Trim(tld, "0123456789") == "" {
		return "" // a number, not a name
	}
	if d := ioc.Preprocess(v, ioc.DNS); d.Check != ioc.Ok && strings.Contains(d.Reason, "public suffix") {
		return fmt.Sprintf("not a domain with a public suffix (.%s is none)", tld)
	}
	return ""
}

// ExtraTypes returns the type names that the given providers declare
// (TypeSupporter) and package ioc does not know, lower case: types a
// provider defines for itself, such as ServiceNow's "user". Sub-type keys
// ("ipv4-whois") are left out.
func ExtraTypes(specs []ProviderSpec) map[string]bool {
	out := map[string]bool{}
	for _, s := range specs {
		ts, ok := s.Provider.(TypeSupporter)
		if !ok {
			continue
		}
		AddExtraTypes(out, ts.SupportedTypes())
	}
	return out
}

// AddExtraTypes adds to m the names in types that package ioc does not know
// (see ExtraTypes).
func AddExtraTypes(m map[string]bool, types []string) {
	for _, t := range types {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || strings.Contains(t, "-") {
			continue
		}
		if _, err := ioc.ParseType(t); err != nil {
			m[t] = true
		}
	}
}

// IOCPreparerWith is IOCPreparer, except that an explicit type named in
// extra (a provider-defined type such as ServiceNow's "user", see
// ExtraTypes) is not rejected: the trimmed input goes to the providers
// under that type, and those that do not support it answer "unsupported
// type" without a call.
func IOCPreparerWith(extra map[string]bool) Preparer {
	if len(extra) == 0 {
		return IOCPreparer
	}
	return func(input, explicitType string) Prepared {
		if t := strings.ToLower(strings.TrimSpace(explicitType)); extra[t] {
			if _, err := ioc.ParseType(t); err != nil {
				return Prepared{Item: Item{Ioc: input, Type: t, Value: strings.TrimSpace(input)}}
			}
		}
		return IOCPreparer(input, explicitType)
	}
}
