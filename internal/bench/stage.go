// Package bench measures a recon run: it runs the binary as a child
// process, reads the child's rusage (CPU, peak RSS) and the "stage done"
// lines of its JSON log, and prints them as a table against the targets of
// issue 8. cmd/reconbench wires it.
package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// Stage is one finished stage of a run, as its log reports it.
type Stage struct {
	Name    string
	Rows    int64
	Elapsed time.Duration
}

// RowsPerSecond is Rows over Elapsed, or 0 when either is zero.
func (s Stage) RowsPerSecond() float64 {
	if s.Rows <= 0 || s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Rows) / s.Elapsed.Seconds()
}

// stageLine is the shape of a "stage done" record of log/slog's JSON
// handler: the pipeline logs elapsed_ms for programs, elapsed for people.
type stageLine struct {
	Msg       string  `json:"msg"`
	Stage     string  `json:"stage"`
	Rows      int64   `json:"rows"`
	ElapsedMS float64 `json:"elapsed_ms"`
}

// ParseStages returns the "stage done" records of a JSON log, in log order,
// whatever their stage names. Lines that are not JSON, or are other
// records, are skipped: a log with no stage lines gives none and no error.
func ParseStages(r io.Reader) ([]Stage, error) {
	var stages []Stage
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		b := sc.Bytes()
		if !bytes.Contains(b, []byte(`"stage done"`)) {
			continue
		}
		var l stageLine
		if err := json.Unmarshal(b, &l); err != nil || l.Msg != "stage done" {
			continue
		}
		stages = append(stages, Stage{Name: l.Stage, Rows: l.Rows, Elapsed: time.Duration(l.ElapsedMS * float64(time.Millisecond))})
	}
	if err := sc.Err(); err != nil {
		return stages, fmt.Errorf("read log: %w", err)
	}
	return stages, nil
}
