// Package samples owns msticgo's embedded default sample dataset and its
// query pack, so that a fresh install can run a hunting query with no
// config, no files and no network:
//
//	msticgo query run --env Sample WindowsSecurity.list_host_logons host_name=SRV-WEB01
//
// The dataset (data/*.csv, written by `go generate` from ./gen, fully
// fictional: domain NORTHWIND, hosts WS-*, SRV-FILE01, SRV-WEB01, DC01)
// covers one week (2026-11-23 to 2026-11-29 UTC) of Windows logons
// (4624/4625) and process creations (4688) in table SecurityEvent, network
// connections in NetworkConnection and DNS queries in DnsEvent, with an
// intrusion on SRV-WEB01 on 2026-11-27: a password spray from
// 45.135.167.27, a successful RDP logon as svc.backup, discovery commands,
// an LSASS dump through comsvcs.dll, a download from softupdates.info
// (185.229.191.41) and beaconing to 91.234.254.144. The public C2
// addresses come from public IoC lists, so an offline feed built from
// those lists flags them.
//
// Decision: the pack targets its own data environment, "Sample", which the
// DuckDB driver package registers (an in-memory DuckDB database with these
// three tables loaded at Connect). LocalData keeps MSTICPy's semantics and
// DuckDB users never see the sample tables. The CLI uses Sample as the
// default environment of `query run`/`query list` when neither --env nor
// the config chooses one.
//
// The sample query pack (queries/sample_windows.yaml) is MSTICPy query
// YAML; its start/end parameters default to a window wide enough to cover
// the whole dataset.
package samples

//go:generate go run ./gen -out data

import (
	"embed"
	"io/fs"

	"github.com/msticgo/msticgo/data/querystore"
)

// PackName is the name the sample query pack is registered under with
// querystore.RegisterEmbedded.
const PackName = "sample"

func init() { querystore.RegisterEmbedded(PackName, Queries()) }

//go:embed data/*.csv
var dataFS embed.FS

//go:embed queries/*.yaml
var queriesFS embed.FS

// Environment is the data environment of the sample pack.
const Environment = "Sample"

// Table is one table of the sample dataset.
type Table struct {
	Name string // SQL table name
	File string // file name inside Data()
}

// Tables lists the sample tables in load order.
func Tables() []Table {
	return []Table{
		{Name: "SecurityEvent", File: "SecurityEvent.csv"},
		{Name: "NetworkConnection", File: "NetworkConnection.csv"},
		{Name: "DnsEvent", File: "DnsEvent.csv"},
	}
}

// Data returns the sample data files (CSV with a header row; times in UTC,
// "YYYY-MM-DD hh:mm:ss").
func Data() fs.FS {
	sub, err := fs.Sub(dataFS, "data")
	if err != nil {
		panic(err) // the embedded folder always exists
	}
	return sub
}

// Queries returns the sample query pack files (MSTICPy query YAML).
func Queries() fs.FS {
	sub, err := fs.Sub(queriesFS, "queries")
	if err != nil {
		panic(err)
	}
	return sub
}
