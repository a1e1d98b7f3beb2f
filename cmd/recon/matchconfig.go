package main

import (
	"fmt"
	"time"

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/pipeline"
)

// applyMatchWindows sets the matching windows the configuration file
// gives: the late-change windows, the duplicate-payout window and the
// re-check window.
func applyMatchWindows(cfg *pipeline.Config, m config.Match, path string) error {
	windows := []struct {
		key   string
		value string
		dst   *time.Duration
	}{
		{"payin_late_window", m.PayinLateWindow, &cfg.Match.PayinLateWindow},
		{"payout_late_window", m.PayoutLateWindow, &cfg.Match.PayoutLateWindow},
		{"duplicate_payout_window", m.DuplicatePayoutWindow, &cfg.Match.DuplicatePayoutWindow},
	}
	for _, w := range windows {
		if w.value == "" {
			continue
		}
		d, err := time.ParseDuration(w.value)
		if err != nil || d < 0 {
			return fmt.Errorf("%s: match.%s: %q is not a duration such as \"72h\" or \"15m\"", path, w.key, w.value)
		}
		*w.dst = d
	}
	if m.RecheckDays < -1 {
		return fmt.Errorf("%s: match.recheck_days: %d is not a number of days (-1 turns re-checking off)", path, m.RecheckDays)
	}
	cfg.RecheckDays = m.RecheckDays
	return nil
}
