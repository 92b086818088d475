package msticgo_test

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestArchitecturePackagesTable keeps the package table of
// docs/architecture.md true: one row per package of the module, and its
// "imports of ours" column equal to what the package imports.
func TestArchitecturePackagesTable(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH: cannot list the packages")
	}
	const mod = "github.com/msticgo/msticgo"
	out, err := exec.Command(goTool, "list", "-f", `{{.ImportPath}}|{{join .Imports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	actual := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, imports, _ := strings.Cut(line, "|")
		name := strings.TrimPrefix(strings.TrimPrefix(path, mod), "/")
		ours := []string{}
		for _, imp := range strings.Fields(imports) {
			if rest, ok := strings.CutPrefix(imp, mod+"/"); ok {
				ours = append(ours, rest)
			}
		}
		slices.Sort(ours)
		actual[name] = ours
	}

	doc, err := os.ReadFile("docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	tick := regexp.MustCompile("`([^`]+)`")
	documented := map[string][]string{}
	inTable := false
	for _, line := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(line, "| package | owns | imports of ours |") {
			inTable = true
			continue
		}
		if !inTable || strings.HasPrefix(line, "|---") {
			continue
		}
		if !strings.HasPrefix(line, "| ") {
			if len(documented) > 0 {
				break
			}
			continue
		}
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		first, last := cells[0], cells[len(cells)-1]
		name := tick.FindStringSubmatch(first)[1]
		if strings.Contains(first, "(module root)") {
			name = ""
		}
		imports := []string{}
		if last != "nothing" {
			for _, m := range tick.FindAllStringSubmatch(last, -1) {
				imports = append(imports, m[1])
			}
		}
		slices.Sort(imports)
		documented[name] = imports
	}
	for name, imports := range actual {
		got, ok := documented[name]
		switch {
		case !ok:
			t.Errorf("docs/architecture.md has no row for package %q (imports of ours: %v)", name, imports)
		case !slices.Equal(got, imports):
			t.Errorf("docs/architecture.md: package %q imports %v, the page says %v", name, imports, got)
		}
	}
	for name := range documented {
		if _, ok := actual[name]; !ok {
			t.Errorf("docs/architecture.md has a row for %q, which is not a package of the module", name)
		}
	}
}
