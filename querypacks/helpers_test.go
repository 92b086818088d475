package querypacks_test

import (
	"io/fs"

	"github.com/msticgo/msticgo/querypacks"
)

func fsRead(name string) ([]byte, error) { return fs.ReadFile(querypacks.SecurityDatasets(), name) }
