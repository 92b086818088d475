// Package ioc owns observables (indicators of compromise): their types,
// type detection, cleaning and normalisation, rejection with reasons, and
// extraction from free text. It imports nothing else of msticgo.
//
// Work in progress: see docs/observables.md for the rules.
package ioc
