package ledger

import (
	"github.com/kwikpaisa/recon/internal/recon"
)

// ExceptionKey identifies an exception across dates.
func ExceptionKey(c recon.Category, e recon.Entity, ref string) string {
	return string(c) + "\x00" + string(e) + "\x00" + ref
}

// Recheck is what a re-check of an earlier date found.
type Recheck struct {
	Date      string // the date re-checked
	New       int    // reported now, never before for this date
	StillOpen int    // reported before and now
	Resolved  int    // reported before, no longer reported (resolved on the run's date)
	// Open are the exceptions still open after the re-check, with their
	// first_seen and age.
	Open []recon.Exception
}

// DayTotal is what one business date reported: its exceptions (as its
// latest run or re-check left them) and the money they put at risk.
type DayTotal struct {
	Date       string
	Exceptions int
	AtRisk     recon.Amount
}

// Filter selects exceptions for List.
type Filter struct {
	Date     string         // one business date, or all
	Category recon.Category // one category, or all
	Open     bool           // only OPEN and INVESTIGATING
	// OlderThan keeps exceptions first seen more than this many days
	// before Today; 0 keeps all.
	OlderThan int
	Today     string // YYYY-MM-DD, for ages
}

// Listed is an exception as List returns it.
type Listed struct {
	recon.Exception
	ResolvedOn string // the run date whose re-check resolved it, or ""
}
