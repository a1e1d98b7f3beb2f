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
	// Differences lists, per category where they differ, what was planted
	// and not reported (missed) and what was reported and not planted.
	Differences []Difference
}

// Difference is one category where the reports are not the planted set.
type Difference struct {
	Category          string
	Missed, Unplanted int
	ExampleMissed     string
	ExampleUnplanted  string
	Planted, Reported int
}

// CheckPlanted reads planted.csv of the day and the exception reports in
// reports.
func CheckPlanted(day, reports string) (Check, error) {
	planted, _, err := readKeys(filepath.Join(day, "planted.csv"), func(r []string) bool { return r[0] != "REJECT" })
	if err != nil {
		return Check{}, err
	}
	var c Check
	reported := map[string]map[string]bool{}
	for _, name := range exceptionReports {
		keys, rows, err := readKeys(filepath.Join(reports, name), func([]string) bool { return true })
		if err != nil {
			return Check{}, err
		}
		c.Reported += rows
		for cat, ks := range keys {
			if reported[cat] == nil {
				reported[cat] = map[string]bool{}
			}
			for k := range ks {
				reported[cat][k] = true
			}
		}
	}
	categories := map[string]bool{}
	for cat, ks := range planted {
		categories[cat] = true
		c.Planted += len(ks)
	}
	for cat := range reported {
		categories[cat] = true
	}
	for _, cat := range slices.Sorted(maps.Keys(categories)) {
		d := Difference{Category: cat, Planted: len(planted[cat]), Reported: len(reported[cat])}
		for _, k := range slices.Sorted(maps.Keys(planted[cat])) {
			if !reported[cat][k] {
				d.Missed++
				if d.ExampleMissed == "" {
					d.ExampleMissed = k
				}
			}
		}
		for _, k := range slices.Sorted(maps.Keys(reported[cat])) {
			if !planted[cat][k] {
				d.Unplanted++
				if d.ExampleUnplanted == "" {
					d.ExampleUnplanted = k
				}
			}
		}
		if d.Missed > 0 || d.Unplanted > 0 {
			c.Differences = append(c.Differences, d)
		}
	}
	return c, nil
}

// readKeys reads a CSV whose first three columns are category, entity and
// reference, and returns the "entity reference" keys of each category and
// the number of rows kept.
func readKeys(path string, keep func([]string) bool) (map[string]map[string]bool, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", path, err)
	}
	keys, n := map[string]map[string]bool{}, 0
	for i, row := range rows {
		if i == 0 || len(row) < 3 || !keep(row) {
			continue
		}
		n++
		if keys[row[0]] == nil {
			keys[row[0]] = map[string]bool{}
		}
		keys[row[0]][strings.Join(row[1:3], " ")] = true
	}
	return keys, n, nil
}
