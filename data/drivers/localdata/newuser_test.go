package localdata

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/msticgo/msticgo/data"
)

// A missing data file: the name quoted, the data paths listed, no Go
// error text ("file does not exist") in the message.
func TestNewUserMissingFileMessage(t *testing.T) {
	dir := t.TempDir()
	d := New([]string{dir}, nil)
	_, err := query(t, d, "nothere.csv")
	want := `localdata: data file "nothere.csv" not found in the data paths: ` + dir
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
	if !errors.Is(err, data.ErrRejected) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("sentinels lost: %v", err)
	}
}
