package lookup

import "github.com/msticgo/msticgo/ioc"

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
	default:
		p.Check, p.Reason, p.Item.Value = CheckInvalid, o.Reason, ""
	}
	return p
}
