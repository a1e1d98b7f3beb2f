package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestFailuresLeaveDataUnchanged runs the fixture day into a database,
// then makes a run fail four ways: the report folder read-only, the disk
// full under the database (a file-size limit: writing past 1 MB fails),
// the disk full under the reports (a 16 kB tmpfs; no half-written report
// is left in it), the database locked by another process. Each failing run exits 1 with exactly one message
// naming the path at fault, and leaves the data unchanged.
//
// "Unchanged" is every table but runs, with exceptions' run_id left out:
// the runs table is the run history (`recon runs`), which records the
// failed attempt on purpose, and an exception row names the run that last
// wrote it. Every input row, reject, pull and exception stays as it was.
// One allowed addition: each input file is loaded in its own transaction,
// so when the disk fills while a new date is ingested, the files loaded
// before it stay loaded — whole (rows read = rows stored + rejects), and
// the next run does not read them again. No file is ever half loaded.
func TestFailuresLeaveDataUnchanged(t *testing.T) {
	t.Parallel()
	env := childEnv("KWIKPAISA_WEBHOOK_SECRET=" + fixtureSecret)
	nextDay := synthDayOn(t, "2026-11-26", 2500, 600)
	cfg, err := filepath.Abs("../../fixtures/recon.toml")
	if err != nil {
		t.Fatal(err)
	}
	fixture := func(tmp, out string, extra ...string) []string {
		return append([]string{"run", "--config", cfg, "--date", fixtureDate, "--offline",
			"--db", filepath.Join(tmp, "recon.db"), "--out", out, "--log-format", "json"}, extra...)
	}

	tests := []struct {
		name   string
		limits string
		// wholeFilesAdded allows whole input files of the failed run's
		// date to be added.
		wholeFilesAdded bool
		// tmpfs runs recon with a tmpfs of this many bytes on the folder
		// setup names.
		tmpfs int
		// setup prepares the failure and returns the run's arguments and
		// the path the message must name; the returned func undoes it.
		setup func(t *testing.T, tmp string) (args []string, path string, undo func())
	}{
		{
			name:   "report folder read-only",
			limits: "nodac", // root would write into a 0500 folder otherwise
			setup: func(t *testing.T, tmp string) ([]string, string, func()) {
				ro := filepath.Join(tmp, "readonly")
				if err := os.Mkdir(ro, 0o500); err != nil {
					t.Fatal(err)
				}
				return fixture(tmp, ro), ro, func() { os.Chmod(ro, 0o700) }
			},
		},
		{
			name:            "disk full",
			limits:          "fsize=1048576",
			wholeFilesAdded: true,
			setup: func(t *testing.T, tmp string) ([]string, string, func()) {
				// Another date's day is larger than the space left.
				return dayRunOn("2026-11-26", nextDay, tmp), filepath.Join(tmp, "recon.db"), func() {}
			},
		},
		{
			name:  "report disk full",
			tmpfs: 16 << 10, // four pages: less than the reports need
			setup: func(t *testing.T, tmp string) ([]string, string, func()) {
				small := filepath.Join(tmp, "small")
				if err := os.Mkdir(small, 0o700); err != nil {
					t.Fatal(err)
				}
				return fixture(tmp, small), filepath.Join(small, fixtureDate), func() {}
			},
		},
		{
			name: "database locked by another process",
			setup: func(t *testing.T, tmp string) ([]string, string, func()) {
				db := filepath.Join(tmp, "recon.db")
				release := holdExclusive(t, db)
				return fixture(tmp, filepath.Join(tmp, "out2")), db, release
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tmp := t.TempDir()
			if p := runProc(t, env, "", fixture(tmp, filepath.Join(tmp, "out"))...); p.code != 0 {
				t.Fatalf("first run: exit %d\n%s", p.code, p.stderr)
			}
			before := dataFingerprint(t, filepath.Join(tmp, "recon.db"))

			args, path, undo := tt.setup(t, tmp)
			var p procResult
			if tt.tmpfs > 0 {
				p = runInTmpfs(t, env, filepath.Dir(path), tt.tmpfs, fixtureDate, args...)
				if strings.Contains(p.stdout, "half-written") || !strings.Contains(p.stdout, "checked ") || strings.Contains(p.stdout, "checked 0 ") {
					t.Errorf("the reports in the full folder, checked: %s", p.stdout)
				}
			} else {
				p = runProc(t, env, tt.limits, args...)
			}
			undo()
			msgs := errorLines(p.stderr)
			t.Logf("stderr message: %q", msgs)
			if p.code != exitError || len(msgs) != 1 || !strings.Contains(msgs[0], path) {
				t.Errorf("exit %d, messages %q; want exit 1 and one message naming %s\nstderr:\n%s", p.code, msgs, path, p.stderr)
			}
			after := dataFingerprint(t, filepath.Join(tmp, "recon.db"))
			removed, added := lineSetDiff(before, after)
			if len(removed) > 0 {
				t.Errorf("the failed run changed or removed %d rows, the first: %s", len(removed), removed[0])
			}
			if len(added) > 0 && !tt.wholeFilesAdded {
				t.Errorf("the failed run added %d rows, the first: %s", len(added), added[0])
			}
			wholeFiles(t, filepath.Join(tmp, "recon.db"))
			integrityOK(t, filepath.Join(tmp, "recon.db"))
		})
	}
}

// lineSetDiff returns the lines of before missing from after, and those of
// after missing from before.
func lineSetDiff(before, after string) (removed, added []string) {
	b, a := map[string]bool{}, map[string]bool{}
	for _, l := range strings.Split(before, "\n") {
		b[l] = true
	}
	for _, l := range strings.Split(after, "\n") {
		a[l] = true
		if !b[l] {
			added = append(added, l)
		}
	}
	for _, l := range strings.Split(before, "\n") {
		if !a[l] {
			removed = append(removed, l)
		}
	}
	return removed, added
}

// wholeFiles fails the test unless every loaded file holds all its rows:
// rows read = rows stored + rows rejected.
func wholeFiles(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT f.path, f.rows_read,
		(SELECT count(*) FROM orders WHERE file_id = f.id) + (SELECT count(*) FROM payouts WHERE file_id = f.id) +
		(SELECT count(*) FROM gateway_records WHERE file_id = f.id) + (SELECT count(*) FROM deliveries WHERE file_id = f.id) +
		(SELECT count(*) FROM rejects WHERE file_id = f.id)
		FROM source_files f`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var p string
		var read, stored int
		if err := rows.Scan(&p, &read, &stored); err != nil {
			t.Fatal(err)
		}
		n++
		if read != stored {
			t.Errorf("%s: %d rows read, %d stored or rejected: half loaded", p, read, stored)
		}
	}
	if n == 0 {
		t.Errorf("no source file in %s", path)
	}
}

// holdExclusive holds an exclusive transaction on the database at path
// from this process until the returned func is called.
func holdExclusive(t *testing.T, path string) (release func()) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	return func() {
		_, _ = conn.ExecContext(ctx, "ROLLBACK")
		conn.Close()
		db.Close()
	}
}

// dataFingerprint lists every row of every table but runs, as sorted text,
// leaving out exceptions' run_id.
func dataFingerprint(t *testing.T, path string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'runs' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	var lines []string
	for _, table := range tables {
		rs, err := db.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rs.Columns()
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			b.WriteString(table)
			for i, c := range cols {
				if table == "exceptions" && c == "run_id" {
					continue
				}
				fmt.Fprintf(&b, " %s=%v", c, vals[i])
			}
			lines = append(lines, b.String())
		}
		rs.Close()
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
