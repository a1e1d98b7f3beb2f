package export

import (
	"encoding/json"
	"io"
	"time"
)

type manifestInput struct {
	Kind           string `json:"kind"`
	Path           string `json:"path"`
	SHA256         string `json:"sha256"`
	PreviousSHA256 string `json:"previous_sha256,omitempty"`
	Size           int64  `json:"size"`
	RowsRead       int    `json:"rows_read"`
	RowsAccepted   int    `json:"rows_accepted"`
	RowsRejected   int    `json:"rows_rejected"`
}

type manifest struct {
	RunID      string          `json:"run_id"`
	Date       string          `json:"date"`
	Started    string          `json:"started"`
	Finished   string          `json:"finished"`
	Version    string          `json:"version"`
	ExitStatus int             `json:"exit_status"`
	Inputs     []manifestInput `json:"inputs"`
	Files      []string        `json:"files"`
}

func writeManifest(w io.Writer, r *Report) error {
	m := manifest{
		RunID: r.RunID, Date: r.Date, Version: r.Version, ExitStatus: r.ExitStatus,
		Started: r.Started.UTC().Format(time.RFC3339Nano), Finished: r.Finished.UTC().Format(time.RFC3339Nano),
		Inputs: []manifestInput{}, Files: ReportFiles(r)[:len(ReportFiles(r))-1],
	}
	for _, in := range r.Inputs {
		m.Inputs = append(m.Inputs, manifestInput{
			Kind: in.Kind, Path: in.Path, SHA256: in.SHA256, PreviousSHA256: in.PreviousSHA256, Size: in.Size,
			RowsRead: in.Read, RowsAccepted: in.Accepted, RowsRejected: in.Rejected,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}
