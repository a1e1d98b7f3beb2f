package ledger

import (
	"fmt"
	"log/slog"
	"path"
	"slices"
	"time"
)

// PendingMigrations returns the migrations of known (a store's own, in
// order) that applied, those the store records, lacks. A store that
// records a migration known does not hold was brought up to date by a
// newer recon: this one's writes would not keep what that one added (the
// SQLite store's key tables, say), so it is refused with an error that
// says which version to run.
func PendingMigrations(known, applied []string) ([]string, error) {
	for _, a := range applied {
		if !slices.Contains(known, a) {
			return nil, fmt.Errorf("a newer version of recon brought this store up to date (its migration %s is not one this "+
				"version knows), and this version's writes would not keep what that one added: run that version or a later one", path.Base(a))
		}
	}
	var pending []string
	for _, k := range known {
		if !slices.Contains(applied, k) {
			pending = append(pending, k)
		}
	}
	return pending, nil
}

// LogMigrations says on log, before a store that holds data is brought up
// to date with pending, what is happening, and through the function it
// returns, to be called once every step succeeded, how long it took: on a
// store of months of large days a migration can take minutes, which
// without a word look like a hung run. The warning also says what the change means for older
// versions. A new store (fresh) says nothing. log may be nil.
func LogMigrations(log *slog.Logger, store string, pending []string, fresh bool) (done func()) {
	if log == nil || fresh || len(pending) == 0 {
		return func() {}
	}
	names := make([]string, len(pending))
	for i, p := range pending {
		names[i] = path.Base(p)
	}
	log.Warn("bringing the store up to date for this version of recon (on a large store this takes minutes); "+
		"versions of recon older than this one must not write to it afterwards", "store", store, "migrations", names)
	start := time.Now()
	return func() {
		d := time.Since(start)
		log.Info("store up to date", "store", store, "migrations", names,
			"elapsed", d.Round(time.Millisecond).String(), "elapsed_ms", float64(d.Microseconds())/1000)
	}
}
