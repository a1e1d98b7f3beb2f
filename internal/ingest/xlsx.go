package ingest

import "fmt"

// openXLSX opens an XLSX ledger. Reading XLSX comes with the ingest issue;
// until then such a file is refused with a clear message.
func openXLSX(path, sheet string) (rowSource, error) {
	return nil, fmt.Errorf("%s: XLSX ledgers are not supported yet; export the sheet as CSV", path)
}
