package cli

import (
	"bufio"
	"encoding/binary"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
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
// and so is input without a mark whose start is plainly UTF-16 (ASCII text
// with a NUL byte beside every character); anything else is passed through
// unchanged. Without it a UTF-16 file of indicators would be read as
// unrecognisable values.
func utf16Text(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(64)
	var order binary.ByteOrder
	skip := 0
	switch {
	case len(head) >= 2 && head[0] == 0xFF && head[1] == 0xFE:
		order, skip = binary.LittleEndian, 2
	case len(head) >= 2 && head[0] == 0xFE && head[1] == 0xFF:
		order, skip = binary.BigEndian, 2
	default:
		order = unmarkedUTF16(head)
		if order == nil {
			return br, nil
		}
	}
	b, err := io.ReadAll(br)
	if err != nil {
		return nil, err
	}
	b = b[skip:]
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = order.Uint16(b[2*i:])
	}
	return strings.NewReader(string(utf16.Decode(units))), nil
}

// unmarkedUTF16 recognises UTF-16 text without a byte order mark by its
// start: at least 4 characters, every one of them ASCII, so that one byte
// of each pair is NUL (the high byte: second in little-endian order, first
// in big-endian). Text in UTF-8 never holds NUL bytes like that.
func unmarkedUTF16(head []byte) binary.ByteOrder {
	n := len(head) / 2 * 2
	if n < 8 {
		return nil
	}
	le, be := true, true
	for i := 0; i < n; i += 2 {
		lo, hi := head[i], head[i+1]
		le = le && hi == 0 && lo != 0 && lo < 0x80
		be = be && lo == 0 && hi != 0 && hi < 0x80
	}
	switch {
	case le:
		return binary.LittleEndian
	case be:
		return binary.BigEndian
	}
	return nil
}

// shownNames joins names read from a file for an error message: each is
// quoted when it holds a control character or invalid UTF-8, so the
// message is one line of valid text that a terminal shows as it is.
func shownNames(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		if !utf8.ValidString(n) || strings.ContainsFunc(n, unicode.IsControl) {
			out[i] = strconv.Quote(n)
		} else {
			out[i] = n
		}
	}
	return strings.Join(out, ", ")
}
