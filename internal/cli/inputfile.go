package cli

import (
	"io"
	"os"
)

// openInput opens a file the user named as input (ti lookup --file, ioc
// extract FILE). Its error is one line naming the file, in words
// ("no such file or folder", "is a folder, not a file"), never Go's "open
// X: no such file or directory" or "read X: is a directory"; it is a usage
// error (exit 2).
func openInput(what, name string) (*os.File, error) {
	st, err := os.Stat(name)
	if err != nil {
		return nil, UsageErrorf("%s %s: %s", what, name, pathError(err))
	}
	if st.IsDir() {
		return nil, UsageErrorf("%s %s: is a folder, not a file", what, name)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, UsageErrorf("%s %s: %s", what, name, pathError(err))
	}
	return f, nil
}

// readInput reads a whole input file (see openInput).
func readInput(what, name string) ([]byte, error) {
	f, err := openInput(what, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, UsageErrorf("%s %s: %s", what, name, pathError(err))
	}
	return b, nil
}
