package bench

import (
	"encoding/csv"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// exceptionReports are the reports whose rows are exceptions: category,
// entity, reference first.
var exceptionReports = []string{"mismatches.csv", "duplicates.csv", "missing_utr.csv"}

// Check compares a run's reports with what the generator planted, category
// by category: a fast run that reports the wrong things is no win.
type Check struct {
	Planted  int // planted exceptions (rejects aside)
	Reported int // rows of the exception reports
	// Differences lists the categories where the reports are not exactly
	// the planted exceptions, in category order.
	Differences []Difference
}

// Exact says the reports are exactly the planted exceptions.
func (c Check) Exact() bool { return len(c.Differences) == 0 && c.Reported == c.Planted }

// Difference is one category where the reports are not the planted set.
// Keys are "ENTITY reference", sorted.
type Difference struct {
	Category          string
	Planted, Reported int      // planted exceptions, report rows
	Missed            []string // planted, not reported
	Unplanted         []string // reported, not planted
	Repeated          []string // reported more than once
}

// CheckPlanted compares planted.csv of the day in day with the exception
// reports in reports.
func CheckPlanted(day, reports string) (Check, error) {
	planted, err := readKeys(filepath.Join(day, "planted.csv"), func(r []string) bool { return r[0] != "REJECT" })
	if err != nil {
		return Check{}, err
	}
	reported := map[string]map[string]int{}
	names := exceptionReports
	if _, err := os.Stat(filepath.Join(reports, "settlements.csv")); err == nil {
		names = append(names[:len(names):len(names)], "settlements.csv") // a run with settlements (SPEC §7)
	}
	for _, name := range names {
		keys, err := readKeys(filepath.Join(reports, name), func([]string) bool { return true })
		if err != nil {
			return Check{}, err
		}
		for cat, ks := range keys {
			if reported[cat] == nil {
				reported[cat] = map[string]int{}
			}
			for k, n := range ks {
				reported[cat][k] += n
			}
		}
	}
	var c Check
	categories := slices.Collect(maps.Keys(planted))
	for cat := range reported {
		if planted[cat] == nil {
			categories = append(categories, cat)
		}
	}
	slices.Sort(categories)
	for _, cat := range categories {
		d := Difference{Category: cat, Planted: len(planted[cat])}
		for _, k := range slices.Sorted(maps.Keys(planted[cat])) {
			if reported[cat][k] == 0 {
				d.Missed = append(d.Missed, k)
			}
		}
		for _, k := range slices.Sorted(maps.Keys(reported[cat])) {
			n := reported[cat][k]
			d.Reported += n
			if planted[cat][k] == 0 {
				d.Unplanted = append(d.Unplanted, k)
			}
			if n > 1 {
				d.Repeated = append(d.Repeated, k)
			}
		}
		c.Planted += d.Planted
		c.Reported += d.Reported
		if len(d.Missed)+len(d.Unplanted)+len(d.Repeated) > 0 {
			c.Differences = append(c.Differences, d)
		}
	}
	return c, nil
}

// readKeys reads a CSV whose first three columns are category, entity and
// reference, and counts the rows of each "entity reference" key of each
// category.
func readKeys(path string, keep func([]string) bool) (map[string]map[string]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	keys := map[string]map[string]int{}
	for i, row := range rows {
		if i == 0 || len(row) < 3 || !keep(row) {
			continue
		}
		if keys[row[0]] == nil {
			keys[row[0]] = map[string]int{}
		}
		keys[row[0]][strings.Join(row[1:3], " ")]++
	}
	return keys, nil
}
