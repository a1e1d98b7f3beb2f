package bench

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// A log as `recon run --log-format json` writes it once every stage reports
// its end: other records, a stray non-JSON line, stages in log order.
const sampleLog = `{"time":"2026-11-29T21:10:38.8Z","level":"INFO","msg":"source loaded","run_id":"r1","run_date":"2026-11-24","stage":"ingest","rows_read":100400}
{"time":"2026-11-29T21:10:38.9Z","level":"INFO","msg":"stage done","run_id":"r1","run_date":"2026-11-24","stage":"ingest_orders","rows":100400,"elapsed":"1.02s","elapsed_ms":1020.5}
panic: not JSON at all, "stage done"
{"time":"2026-11-29T21:10:39.0Z","level":"INFO","msg":"stage done","run_id":"r1","run_date":"2026-11-24","stage":"ingest_webhooks","rows":146009,"elapsed":"5.576s","elapsed_ms":5576}
{"time":"2026-11-29T21:10:39.1Z","level":"INFO","msg":"matching","run_id":"r1","run_date":"2026-11-24","stage":"match"}
{"time":"2026-11-29T21:10:40.0Z","level":"INFO","msg":"stage done","run_id":"r1","run_date":"2026-11-24","stage":"a_new_stage","rows":0,"elapsed":"250ms","elapsed_ms":250}
`

func TestParseStages(t *testing.T) {
	tests := []struct {
		name string
		log  string
		want []Stage
	}{
		{"stages in log order, whatever their names", sampleLog, []Stage{
			{"ingest_orders", 100400, 1020500 * time.Microsecond},
			{"ingest_webhooks", 146009, 5576 * time.Millisecond},
			{"a_new_stage", 0, 250 * time.Millisecond},
		}},
		{"no stage lines", `{"level":"INFO","msg":"matching","stage":"match"}` + "\n", nil},
		{"empty log", "", nil},
		{"a message that only mentions stage done", `{"msg":"not \"stage done\"","stage":"x","rows":1}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseStages(strings.NewReader(tt.log))
			if err != nil {
				t.Fatalf("ParseStages: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseStages=%+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRowsPerSecond(t *testing.T) {
	tests := []struct {
		name string
		s    Stage
		want float64
	}{
		{"rows over seconds", Stage{Rows: 1000, Elapsed: 500 * time.Millisecond}, 2000},
		{"no rows", Stage{Elapsed: time.Second}, 0},
		{"no time", Stage{Rows: 10}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.RowsPerSecond(); got != tt.want {
				t.Errorf("RowsPerSecond=%v, want %v", got, tt.want)
			}
		})
	}
}
