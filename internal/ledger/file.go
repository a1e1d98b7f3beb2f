package ledger

// StoredFile is what the store knows of a loaded source file.
type StoredFile struct {
	ID             int64  `db:"id"`
	Kind           string `db:"kind"`
	Path           string `db:"path"`
	SHA256         string `db:"sha256"`
	PreviousSHA256 string `db:"previous_sha256"`
	Size           int64  `db:"size"`
	Read           int    `db:"rows_read"`
	Accepted       int    `db:"rows_accepted"`
	Rejected       int    `db:"rows_rejected"`
	NumericKeys    int    `db:"numeric_keys"`
	Settings       string `db:"settings_sha256"`
	Stamp          string `db:"stamp"`
}
