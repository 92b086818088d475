package srcdigest

import (
	"testing"
	"testing/fstest"
)

func TestOfLeavesOutTestsAndOtherFiles(t *testing.T) {
	base := fstest.MapFS{"a.go": {Data: []byte("package a")}}
	want := Of(base)
	withMore := fstest.MapFS{
		"a.go":      {Data: []byte("package a")},
		"a_test.go": {Data: []byte("package a")},
		"notes.txt": {Data: []byte("x")},
	}
	if got := Of(withMore); got != want {
		t.Errorf("Of with a test and a non-Go file = %s, want %s", got, want)
	}
	changed := fstest.MapFS{"a.go": {Data: []byte("package b")}}
	if Of(changed) == want {
		t.Error("Of did not change with the content")
	}
	renamed := fstest.MapFS{"b.go": {Data: []byte("package a")}}
	if Of(renamed) == want {
		t.Error("Of did not change with the name")
	}
}
