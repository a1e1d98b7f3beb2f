package schedule

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Job is one line of a schedule file: when to run, which date, and extra
// flags for `recon run`.
type Job struct {
	Name     string // file:line
	Spec     string // the cron expression as written, with its zone
	Schedule Schedule
	Offset   int      // days from the firing date: -1 reconciles yesterday
	Args     []string // extra `recon run` flags, e.g. --offline
}

// Date returns the business date the job reconciles when it fires at t.
func (j Job) Date(t time.Time, zone *time.Location) string {
	return t.In(zone).AddDate(0, 0, j.Offset).Format("2006-01-02")
}

var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseLine reads one schedule line:
//
//	[CRON_TZ=Zone] <minute> <hour> <day> <month> <weekday> <date> [flags]
//	[CRON_TZ=Zone] @daily <date> [flags]
//
// where <date> is yesterday, today or today-N. Without CRON_TZ the line
// runs in zone.
func ParseLine(line string, zone *time.Location) (Job, error) {
	tokens := strings.Fields(line)
	tz := "CRON_TZ=" + zone.String()
	if len(tokens) > 0 && (strings.HasPrefix(tokens[0], "CRON_TZ=") || strings.HasPrefix(tokens[0], "TZ=")) {
		tz, tokens = tokens[0], tokens[1:]
	}
	n := 5
	if len(tokens) > 0 && strings.HasPrefix(tokens[0], "@") {
		n = 1
	}
	if len(tokens) < n+1 {
		return Job{}, fmt.Errorf("want a cron expression (5 fields or @daily) then a date (yesterday, today or today-N)")
	}
	spec := tz + " " + strings.Join(tokens[:n], " ")
	s, err := parser.Parse(spec)
	if err != nil {
		return Job{}, fmt.Errorf("cron expression %q: %v", strings.Join(tokens[:n], " "), err)
	}
	offset, err := parseDateWord(tokens[n])
	if err != nil {
		return Job{}, err
	}
	args := tokens[n+1:]
	for _, a := range args {
		name := strings.SplitN(strings.TrimLeft(a, "-"), "=", 2)[0]
		if strings.HasPrefix(a, "-") && (name == "date" || name == "config") {
			return Job{}, fmt.Errorf("flag %s is set by the scheduler", a)
		}
	}
	return Job{Spec: spec, Schedule: s, Offset: offset, Args: args}, nil
}

func parseDateWord(w string) (int, error) {
	switch w {
	case "yesterday":
		return -1, nil
	case "today":
		return 0, nil
	}
	if rest, ok := strings.CutPrefix(w, "today-"); ok {
		if n, err := strconv.Atoi(rest); err == nil && n >= 0 && n <= 366 {
			return -n, nil
		}
	}
	return 0, fmt.Errorf("date %q: want yesterday, today or today-N", w)
}

// LineError is a schedule file's mistake at a line.
type LineError struct {
	File string
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// LoadFile reads a schedule file and returns its jobs, or every mistake in
// it.
func LoadFile(path string, zone *time.Location) ([]Job, []error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, []error{fmt.Errorf("read schedule: %w", err)}
	}
	defer f.Close()
	var jobs []Job
	var errs []error
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		j, err := ParseLine(line, zone)
		if err != nil {
			errs = append(errs, &LineError{File: path, Line: n, Err: err})
			continue
		}
		j.Name = fmt.Sprintf("%s:%d", path, n)
		jobs = append(jobs, j)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("read schedule %s: %w", path, err))
	}
	return jobs, errs
}

// LoadDir reads every *.cron file of dir, in name order.
func LoadDir(dir string, zone *time.Location) ([]Job, []error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.cron"))
	if err != nil {
		return nil, []error{err}
	}
	sort.Strings(paths)
	var jobs []Job
	var errs []error
	for _, p := range paths {
		j, e := LoadFile(p, zone)
		jobs = append(jobs, j...)
		errs = append(errs, e...)
	}
	if len(paths) == 0 {
		errs = append(errs, fmt.Errorf("no schedule files (*.cron) in %s", dir))
	}
	return jobs, errs
}
