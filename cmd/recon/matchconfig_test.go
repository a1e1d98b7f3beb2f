package main

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/match"
	"github.com/kwikpaisa/recon/internal/pipeline"
	"github.com/kwikpaisa/recon/internal/recon"
)

func TestApplyMatchWindows(t *testing.T) {
	tests := []struct {
		name    string
		in      config.Match
		wantErr bool
		check   func(c *pipeline.Config) bool
	}{
		{"defaults kept", config.Match{}, false, func(c *pipeline.Config) bool {
			return c.Match.PayinLateWindow == 72*time.Hour && c.Match.DuplicatePayoutWindow == 15*time.Minute && c.RecheckDays == 0
		}},
		{"every window set", config.Match{PayinLateWindow: "48h", PayoutLateWindow: "96h", DuplicatePayoutWindow: "10m", RecheckDays: 3}, false,
			func(c *pipeline.Config) bool {
				return c.Match.PayinLateWindow == 48*time.Hour && c.Match.PayoutLateWindow == 96*time.Hour &&
					c.Match.DuplicatePayoutWindow == 10*time.Minute && c.RecheckDays == 3
			}},
		{"re-check off", config.Match{RecheckDays: -1}, false, func(c *pipeline.Config) bool { return c.RecheckDays == -1 }},
		{"not a duration", config.Match{DuplicatePayoutWindow: "15 minutes"}, true, nil},
		{"negative duration", config.Match{PayinLateWindow: "-1h"}, true, nil},
		{"negative days", config.Match{RecheckDays: -2}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := &pipeline.Config{Match: match.DefaultOptions()}
			err := applyMatchWindows(cfg, tt.in, "recon.toml")
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, want error %v", err, tt.wantErr)
			}
			if tt.check != nil && !tt.check(cfg) {
				t.Errorf("config = %+v (re-check %d), not as set", cfg.Match, cfg.RecheckDays)
			}
		})
	}
}

// TestApplyFileStatuses: the configuration file's status words reach the
// run's table (ingest.StatusesFrom reads them, TestStatusesFrom checks
// how), each for its own entity.
func TestApplyFileStatuses(t *testing.T) {
	cfg := &pipeline.Config{Ingest: ingest.DefaultOptions(time.UTC), Match: match.DefaultOptions()}
	file := &config.File{Statuses: config.Statuses{
		Orders:  map[string]string{"auto refunded": "REFUNDED"},
		Payouts: map[string]string{"on hold by bank": "pending"},
	}}
	if err := applyFile(cfg, file); err != nil {
		t.Fatal(err)
	}
	in, inErr := cfg.Ingest.Statuses.Class(recon.EntityPayin, "auto refunded")
	out, outErr := cfg.Ingest.Statuses.Class(recon.EntityPayout, "on hold by bank")
	if in != recon.StatusRefunded || inErr != nil || out != recon.StatusPending || outErr != nil {
		t.Errorf("configured words: %v (%v), %v (%v); want REFUNDED, PENDING", in, inErr, out, outErr)
	}
	if _, err := cfg.Ingest.Statuses.Class(recon.EntityPayout, "auto refunded"); err == nil {
		t.Error("a pay-in word is a payout status too")
	}
}

// TestKeepPartsSetting reads keep_parts: unset keeps a large day's parts
// for its next run, false keeps none.
func TestKeepPartsSetting(t *testing.T) {
	dir := t.TempDir()
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, now: time.Now}
	for _, c := range []struct {
		file string
		drop bool
	}{{"", false}, {"keep_parts = true\n", false}, {"keep_parts = false\n", true}} {
		path := filepath.Join(dir, "recon.toml")
		if err := os.WriteFile(path, []byte(c.file), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, _, err := (&runFlags{date: "2026-11-24", config: path, offline: true}).pipelineConfig(e, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatalf("%q: %v", c.file, err)
		}
		if cfg.DropParts != c.drop {
			t.Errorf("%q: DropParts %v, want %v", c.file, cfg.DropParts, c.drop)
		}
	}
}
