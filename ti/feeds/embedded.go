package feeds

import (
	"embed"
	"io/fs"
	"path"
	"sort"

	"github.com/msticgo/msticgo/lookup"
)

//go:embed embedded
var embeddedFS embed.FS

// EmbeddedSets lists the names of the embedded sets ("default").
func EmbeddedSets() []string {
	ents, _ := fs.ReadDir(embeddedFS, "embedded")
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

// embeddedSources returns the files of an embedded set: feed files at its
// top level, warninglists in its warninglists/ folder.
func embeddedSources(set string) []source {
	root := path.Join("embedded", set)
	var out []source
	ents, _ := fs.ReadDir(embeddedFS, root)
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		p := path.Join(root, e.Name())
		out = append(out, source{fsys: embeddedFS, path: p, display: "embedded:" + set + "/" + e.Name(), kind: "feed",
			spec: FeedSpec{Severity: lookup.SevHigh, DomainMatch: "suffix"}})
	}
	wents, _ := fs.ReadDir(embeddedFS, path.Join(root, "warninglists"))
	for _, e := range wents {
		if e.IsDir() {
			continue
		}
		p := path.Join(root, "warninglists", e.Name())
		out = append(out, source{fsys: embeddedFS, path: p, display: "embedded:" + set + "/warninglists/" + e.Name(), kind: "warninglist"})
	}
	return out
}
