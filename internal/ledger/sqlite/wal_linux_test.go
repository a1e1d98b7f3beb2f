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
// the day copies the whole WAL into the database when the log is large
// beside the memory available (or that is not known), so that the next
// commit begins the log again, and the log's pages leave the page cache.
// With memory to spare, or another handle reading the log or holding the
// write lock (the busy timeout long), it waits for nothing and the log's
// pages stay; the log goes on.
func TestDayPartsSettlesLog(t *testing.T) {
	t.Setenv("RECON_DB_BUSY_TIMEOUT", "1h") // waiting would hang the test
	ctx := context.Background()
	from := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	day := recon.BusinessDay{Date: "2026-11-24", Start: from, End: from.AddDate(0, 0, 1)}
	for _, tt := range []struct {
		name, beside string
		avail        func(wal int64) (uint64, bool)
		settles      bool
	}{
		{name: "crowded", avail: func(wal int64) (uint64, bool) { return uint64(wal) * 3, true }, settles: true},
		{name: "memory unknown", avail: func(int64) (uint64, bool) { return 0, false }, settles: true},
		{name: "roomy", avail: func(wal int64) (uint64, bool) { return uint64(wal) * 5, true }},
		{name: "crowded beside a reader", beside: "BEGIN", avail: func(int64) (uint64, bool) { return 1, true }},
		{name: "crowded beside a writer", beside: "BEGIN IMMEDIATE", avail: func(int64) (uint64, bool) { return 1, true }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var walSize int64
			db := mustOpenWith(t, Options{AvailableMemory: func() (uint64, bool) { return tt.avail(walSize) }})
			wal := db.Path() + "-wal"
			scratch(t, db, 40)
			if st := pageCache(t, wal); st.Cache == 0 {
				t.Fatal("the WAL has no page in the cache before the split")
			}
			fi, err := os.Stat(wal)
			if err != nil {
				t.Fatal(err)
			}
			walSize = fi.Size()
			_, salts, live := walFrames(t, wal)
			end := func() error { return nil }
			if tt.beside != "" {
				_, end = readScratch(t, db.Path(), Options{KeepLogBytes: -1}, tt.beside, 40)
			}
			if _, err := db.DayParts(ctx, day); err != nil {
				t.Fatal(err)
			}
			st := pageCache(t, wal)
			if tt.beside == "BEGIN IMMEDIATE" {
				if err := end(); err != nil { // the write below waits for the lock
					t.Fatal(err)
				}
			}
			scratch(t, db, 1)
			_, again, after := walFrames(t, wal)
			switch {
			case tt.settles && st.Cache != 0:
				t.Errorf("after the split, %d of the WAL's pages are in the cache, want none", st.Cache)
			case tt.settles && (again == salts || after >= live):
				t.Errorf("the next commit did not begin the log again: salts changed %v, %d live frames (were %d)", again != salts, after, live)
			case !tt.settles && st.Cache == 0:
				t.Error("the WAL's pages left the cache")
			case !tt.settles && tt.beside != "BEGIN IMMEDIATE" && (again != salts || after <= live):
				t.Errorf("the log began again: salts changed %v, %d live frames (were %d)", again != salts, after, live)
			}
			if n := scratchRows(t, db.Path()); n != 41 {
				t.Errorf("opened again, %d rows, want 41", n)
			}
		})
	}
}
