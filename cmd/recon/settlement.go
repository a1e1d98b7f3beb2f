package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/match"
	"github.com/kwikpaisa/recon/internal/pipeline"
	"github.com/kwikpaisa/recon/internal/recon"
)

// settlementFlags are the flags of `recon run` that give one settlement
// report or bank statement (SPEC §7), overriding [sources].
type settlementFlags struct {
	settlements, bank string
}

func (f *settlementFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.settlements, "settlements", "", "settlement report `file` of the date (CSV or XLSX)")
	fs.StringVar(&f.bank, "bank", "", "bank statement `file` of the date (CSV, XLSX, CAMT.053 or MT940)")
}

// apply sets the run's settlement checks from the flags and the
// configuration file; none when neither gives a settlement report.
func (f *settlementFlags) apply(cfg *pipeline.Config, file *config.File, date string) error {
	report, err := sourceOf(f.settlements, file.Sources.Settlements, date, "settlements")
	if err != nil {
		return err
	}
	bank, err := sourceOf(f.bank, file.Sources.Bank, date, "bank")
	if err != nil {
		return err
	}
	if report == nil {
		if bank != nil {
			return &usageError{message: "a bank statement is matched against settlement reports, and none is given",
				hint: "add --settlements FILE, or sources.settlements in the configuration"}
		}
		return nil
	}
	fees, err := config.FeeSchedule(file.Fees)
	if err != nil {
		return fmt.Errorf("%s: %w", file.Path(), err)
	}
	opts := match.DefaultSettlementOptions()
	opts.Window, opts.BankWindow = file.Settlements.Window.D, file.Settlements.BankWindow.D
	opts.GatewayPattern = file.Settlements.GatewayPattern
	opts.Fees = fees
	cfg.Settlement = &pipeline.Settlement{Report: report, Bank: bank, Options: opts}
	cfg.Ingest.SettlementColumns = file.Columns.Settlements
	for word, typ := range file.Settlements.Events {
		t, ok := recon.ParseEventType(strings.ToUpper(strings.TrimSpace(typ)))
		if !ok {
			return fmt.Errorf("%s: settlements.events.%s: unknown event type %q", file.Path(), word, typ)
		}
		if cfg.Ingest.SettlementEvents == nil {
			cfg.Ingest.SettlementEvents = map[string]recon.EventType{}
		}
		cfg.Ingest.SettlementEvents[word] = t
	}
	cfg.Ingest.BankColumns = file.Columns.Bank
	return nil
}

// sourceOf returns how a run finds a settlement source's file of each
// date: the flag's file for the run's date only (it must exist), or the
// template's file of each date ("" where none exists); nil when neither is
// given.
func sourceOf(flagPath, template, runDate, name string) (func(string) (string, error), error) {
	switch {
	case flagPath != "":
		if _, err := os.Stat(flagPath); err != nil {
			return nil, fmt.Errorf("input file %s: %w", flagPath, errors.Unwrap(err))
		}
		return func(date string) (string, error) {
			if date == runDate {
				return flagPath, nil
			}
			return "", nil
		}, nil
	case template != "":
		return func(date string) (string, error) {
			p, err := config.ExpandOne(template, date)
			if err != nil {
				return "", fmt.Errorf("sources.%s: %w", name, err)
			}
			return p, nil
		}, nil
	}
	return nil, nil
}
