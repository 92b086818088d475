package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/msticgo/msticgo/internal/testcorpus"
)

// TestRenderSamplesThroughCLI renders every sample of MSTICPy's reference
// file with `msticgo query render` (values written as on a command line:
// lists as JSON) and compares stdout byte for byte with MSTICPy's text plus
// the newline the command adds. The documented differences are checked in
// data/querystore (TestMSTICPyRenderSamples) and skipped here; MSTICPy's
// errors must be usage errors (exit 2).
func TestRenderSamplesThroughCLI(t *testing.T) {
	ref := testcorpus.Path(t, "reference", "msticpy-render-samples.jsonl")
	root := testcorpus.Path(t, "queries-msticpy")
	skip := map[string]bool{"render-s16": true, "render-s18": true, "render-s32": true, "render-s40": true, "render-s45": true}
	f, err := os.Open(ref)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	compared := 0
	for sc.Scan() {
		var s struct {
			ID, Environment, File, Query string
			Params                       map[string]json.RawMessage
			FrozenNow                    *string `json:"frozen_now"`
			Rendered                     *string
			Error                        *struct{ Type, Message string }
		}
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		if skip[s.ID] {
			continue
		}
		t.Run(s.ID, func(t *testing.T) {
			now := "2026-12-03T18:00:00Z"
			if s.FrozenNow != nil {
				now = *s.FrozenNow
			}
			args := []string{"query", "render", "--query-path", filepath.Join(root, filepath.FromSlash(s.File)), "--env", s.Environment, s.Query}
			keys := make([]string, 0, len(s.Params))
			for k := range s.Params {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				raw := s.Params[k]
				var str string
				if json.Unmarshal(raw, &str) == nil {
					args = append(args, k+"="+str)
				} else {
					args = append(args, fmt.Sprintf("%s=%s", k, raw)) // numbers and JSON lists as written
				}
			}
			out, errOut, code := runQueryCLI(t, map[string]string{"MSTICGO_NOW": now}, args...)
			if s.Error != nil {
				if code != 2 {
					t.Fatalf("MSTICPy fails with %s %q; msticgo: exit %d %s", s.Error.Type, s.Error.Message, code, errOut)
				}
				return
			}
			want := *s.Rendered
			if !strings.HasSuffix(want, "\n") {
				want += "\n"
			}
			if code != 0 || out != want {
				t.Fatalf("exit %d %s\n got: %q\nwant: %q", code, errOut, out, want)
			}
			compared++
		})
	}
	if compared != 37 {
		t.Errorf("compared %d renders byte for byte, want 37 (45 samples - 5 documented differences - 3 errors)", compared)
	}
}
