// Package querypacks owns msticgo's embedded query packs for public data
// sets, registered with querystore.RegisterEmbedded so every program that
// links this package (cmd/msticgo does, through data/drivers/all) finds
// them without a query path.
//
// Pack "security-datasets" (securitydatasets/security_datasets.yaml,
// data environment DuckDB, family SecurityDatasets) queries the
// Security-Datasets (OTRF, formerly Mordor) Windows attack recordings, JSON
// lines from the Security and Sysmon channels, with the file or glob as the
// data_path parameter:
//
//	msticgo query run --env DuckDB SecurityDatasets.list_lsass_access \
//	    data_path='../shared/corpus/logs/security-datasets/*.json'
//
// Queries: list_process_creations (4688 + Sysmon 1; host_name, image,
// commandline), list_network_connections (5156 + Sysmon 3; host_name,
// ip_address), list_lsass_access (Sysmon 10), list_directory_replication
// (4662 with the replication rights GUIDs), list_scheduled_task_creations
// (4698), list_file_share_access (5145; share_name), list_logons (4624;
// account_name). The recordings disagree on field types, timestamp forms
// and Channel case; every query reads the fields it uses as text and
// converts them itself, so one glob over all files works.
package querypacks

import (
	"embed"
	"io/fs"

	"github.com/msticgo/msticgo/data/querystore"
)

//go:embed securitydatasets/*.yaml
var securityDatasets embed.FS

// SecurityDatasetsName is the embedded pack name of the Security-Datasets
// queries.
const SecurityDatasetsName = "security-datasets"

// SecurityDatasets returns the Security-Datasets pack files.
func SecurityDatasets() fs.FS {
	sub, err := fs.Sub(securityDatasets, "securitydatasets")
	if err != nil {
		panic(err)
	}
	return sub
}

func init() { querystore.RegisterEmbedded(SecurityDatasetsName, SecurityDatasets()) }
