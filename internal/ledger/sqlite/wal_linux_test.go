package sqlite

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/kwikpaisa/recon/internal/recon"
)

// pageCache reports what of the file at path is in the page cache.
func pageCache(t *testing.T, path string) unix.Cachestat_t {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var st unix.Cachestat_t
	if err := unix.Cachestat(uint(f.Fd()), &unix.CachestatRange{}, &st, 0); err != nil {
		if errors.Is(err, unix.ENOSYS) && os.Getenv("CI") != "true" {
			t.Skip("cachestat(2) needs Linux 6.5")
		}
		t.Fatal(err)
	}
	return st
}

// TestDayPartsSettlesLog: once a day's files are in the store, splitting
// the day copies the whole WAL into the database, so that the next commit
// begins the log again, and the log's pages leave the page cache. With
// another handle reading the log, or holding the write lock (the busy
// timeout long), it waits for nothing and the log's pages stay; beside
// the reader, the log goes on.
func TestDayPartsSettlesLog(t *testing.T) {
	t.Setenv("RECON_DB_BUSY_TIMEOUT", "1h") // waiting would hang the test
	ctx := context.Background()
	from := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	day := recon.BusinessDay{Date: "2026-11-24", Start: from, End: from.AddDate(0, 0, 1)}
	for _, beside := range []string{"", "BEGIN", "BEGIN IMMEDIATE"} {
		db := mustOpen(t)
		wal := db.Path() + "-wal"
		scratch(t, db, 40)
		if st := pageCache(t, wal); st.Cache == 0 {
			t.Fatal("the WAL has no page in the cache before the split")
		}
		_, salts, live := walFrames(t, wal)
		end := func() error { return nil }
		if beside != "" {
			_, end = readScratch(t, db.Path(), Options{KeepLogBytes: -1}, beside, 40)
		}
		if _, err := db.DayParts(ctx, day); err != nil {
			t.Fatalf("beside %q: %v", beside, err)
		}
		st := pageCache(t, wal)
		if beside == "BEGIN IMMEDIATE" {
			if err := end(); err != nil { // the write below waits for the lock
				t.Fatal(err)
			}
		}
		scratch(t, db, 1)
		_, again, after := walFrames(t, wal)
		switch {
		case beside == "" && st.Cache != 0:
			t.Errorf("after the split, %d of the WAL's pages are in the cache, want none", st.Cache)
		case beside == "" && (again == salts || after >= live):
			t.Errorf("the next commit did not begin the log again: salts changed %v, %d live frames (were %d)", again != salts, after, live)
		case beside != "" && st.Cache == 0:
			t.Errorf("beside %q, the WAL's pages left the cache", beside)
		case beside == "BEGIN" && (again != salts || after <= live):
			t.Errorf("beside a reader, the log began again: salts changed %v, %d live frames (were %d)", again != salts, after, live)
		}
		if n := scratchRows(t, db.Path()); n != 41 {
			t.Errorf("beside %q: opened again, %d rows, want 41", beside, n)
		}
	}
}
