package cli

import (
	"bufio"
	"encoding/binary"
	"io"
	"os"
	"strings"
	"unicode/utf16"
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
	r, err := utf16Text(f)
	if err != nil {
		return nil, UsageErrorf("%s %s: %s", what, name, pathError(err))
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, UsageErrorf("%s %s: %s", what, name, pathError(err))
	}
	return b, nil
}

// utf16Text returns r as UTF-8 text: input that starts with a UTF-16 byte
// order mark (what Windows PowerShell's > and Out-File write) is decoded,
// anything else is passed through unchanged. Without it a UTF-16 file of
// indicators would be read as unrecognisable values.
func utf16Text(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	bom, _ := br.Peek(2)
	var order binary.ByteOrder
	switch {
	case len(bom) == 2 && bom[0] == 0xFF && bom[1] == 0xFE:
		order = binary.LittleEndian
	case len(bom) == 2 && bom[0] == 0xFE && bom[1] == 0xFF:
		order = binary.BigEndian
	default:
		return br, nil
	}
	b, err := io.ReadAll(br)
	if err != nil {
		return nil, err
	}
	b = b[2:]
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = order.Uint16(b[2*i:])
	}
	return strings.NewReader(string(utf16.Decode(units))), nil
}
