package cli

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/msticgo/msticgo/data/querystore"
	"github.com/msticgo/msticgo/data/render"
)

const fuzzQueries = `metadata:
  version: 1
  description: fuzz
  data_environments: [LogAnalytics]
  data_families: [F]
sources:
  q:
    description: all parameter kinds
    args:
      query: 'T | where a in ({l}) | where h == "{h}" | extend d = dynamic({d}) | where t > datetime({start})'
    parameters:
      l: {description: a list, type: list}
      h: {description: a host, type: str, aliases: [host]}
      d: {description: a dict, type: dict, default: '{}'}
      start: {description: start, type: datetime}
`

// FuzzParseParams: key=value arguments come from the command line. Any
// input is either a usage error or values that render or fail with a
// parameter error; nothing panics.
func FuzzParseParams(f *testing.F) {
	for _, s := range []string{"l=a,b\x00h=x", `l=["a","b,c"]` + "\x00host=y", `d={"k":[1,2]}`, "l=[1,", "h", "=x", "l=[]\x00h=\"", "split_query_by=1h\x00l=a", "h=1\x00h=2"} {
		f.Add(s)
	}
	qs, probs := querystore.ParseFile("fuzz.yaml", []byte(fuzzQueries))
	if len(probs) > 0 || len(qs) != 1 {
		f.Fatal(probs)
	}
	q := qs[0]
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Split(s, "\x00")
		params, _, err := parseParams(q, args)
		if err != nil {
			if !IsUsage(err) {
				t.Fatalf("%q: not a usage error: %v", args, err)
			}
			return
		}
		opt := render.Options{Style: render.StyleFor("MSSentinel"), Now: time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)}
		if _, err := q.Prepared.Render(params, opt); err != nil {
			var pe *render.ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("%q: render error is not a parameter error: %v", args, err)
			}
		}
	})
}
