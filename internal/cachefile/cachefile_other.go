//go:build !unix

package cachefile

import "io/fs"

const oNoFollow = 0

// ownedByUser: systems without Unix owners rely on the folder's mode.
func ownedByUser(fs.FileInfo) bool { return true }
