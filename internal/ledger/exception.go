package ledger

import (
	"fmt"
	"time"

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

// TrendFrom returns the first date of the window of days that ends on date
// (Store.Trend).
func TrendFrom(date string, days int) (string, error) {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return "", fmt.Errorf("trend to %q: %w", date, err)
	}
	return d.AddDate(0, 0, 1-days).Format(time.DateOnly), nil
}

// Trend adds up a window's stored exceptions by date (Store.Trend): each
// counts once, and a key's money at risk once a date, the largest of its
// exceptions'.
type Trend struct {
	dates  []string
	byDate map[string]*DayTotal
	risk   map[[3]string]recon.Amount
}

// NewTrend starts the totals of dates, in order: those with a day's
// sources or exceptions stored, and the window's last.
func NewTrend(dates []string) *Trend {
	t := &Trend{dates: dates, byDate: map[string]*DayTotal{}, risk: map[[3]string]recon.Amount{}}
	for _, dt := range dates {
		t.byDate[dt] = &DayTotal{Date: dt}
	}
	return t
}

// Add counts a stored exception of date; those of other dates are left
// out.
func (t *Trend) Add(date, entity, reference string, e recon.Exception) {
	dt := t.byDate[date]
	if dt == nil {
		return
	}
	dt.Exceptions++
	k := [3]string{date, entity, reference}
	t.risk[k] = max(t.risk[k], e.AtRisk())
}

// Totals returns each date's totals, in order.
func (t *Trend) Totals() []DayTotal {
	atRisk := map[string]recon.Amount{}
	for k, a := range t.risk {
		atRisk[k[0]] += a
	}
	out := make([]DayTotal, 0, len(t.dates))
	for _, dt := range t.dates {
		d := *t.byDate[dt]
		d.AtRisk = atRisk[dt]
		out = append(out, d)
	}
	return out
}
