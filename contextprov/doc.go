// Package contextprov owns msticgo's built-in context providers (business
// context such as the CMDB record of a host or the owner of an account):
// declarative definitions in defs/, in the same format and engine as
// declarative TI providers (ti/httpprov, kind: context), embedded in the
// binary and registered into registry.Default (kind context, Source
// builtin) when the package is imported. ServiceNow follows MSTICPy's
// provider. Context lookups run on the lookup engine in context mode, which
// sends private addresses too: see docs/context.md.
package contextprov
