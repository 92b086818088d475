package samples

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/msticgo/msticgo/data/querystore"
)

// TestGeneratorReproducesData checks that the committed CSV files are
// exactly what ./gen writes (the dataset is deterministic).
func TestGeneratorReproducesData(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go run ./gen")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not in PATH")
	}
	out := t.TempDir()
	cmd := exec.Command(goBin, "run", "./gen", "-out", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./gen: %v\n%s", err, b)
	}
	for _, tb := range Tables() {
		want, err := fs.ReadFile(Data(), tb.File)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(out, tb.File))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output: run go generate ./samples", tb.File)
		}
	}
}

func TestPackValid(t *testing.T) {
	files, err := querystore.QueryFiles(Queries(), ".")
	if err != nil || len(files) == 0 {
		t.Fatalf("files %v %v", files, err)
	}
	for _, f := range files {
		b, _ := fs.ReadFile(Queries(), f)
		if ps := querystore.Validate(f, b); len(ps) > 0 {
			t.Errorf("%s: %v", f, ps)
		}
	}
	s := querystore.New()
	if err := s.LoadFS(Queries(), ".", "embedded:sample"); err != nil {
		t.Fatal(err)
	}
	if n := len(s.List(Environment, "")); n != 9 {
		t.Errorf("%d queries for %s, want 9", n, Environment)
	}
}
