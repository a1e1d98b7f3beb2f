package ledger

import (
	"errors"
	"fmt"
	"testing"

	"github.com/mattn/go-sqlite3"
)

// TestNameDatabase checks that an SQLite error, however wrapped, names the
// database file once, and that other errors are left as they are.
func TestNameDatabase(t *testing.T) {
	full := fmt.Errorf("store rows of gateway.jsonl: %w", sqlite3.Error{Code: sqlite3.ErrFull})
	if err := NameDatabase(full, "/var/recon/recon.db"); err.Error() != "database /var/recon/recon.db: "+full.Error() || !errors.Is(err, full) {
		t.Errorf("disk full: %v", err)
	}
	named := fmt.Errorf("open /var/recon/recon.db: %w", sqlite3.Error{Code: sqlite3.ErrCantOpen})
	if err := NameDatabase(named, "/var/recon/recon.db"); err != named {
		t.Errorf("already named: %v", err)
	}
	other := errors.New("read orders.csv: line 3: bad amount")
	if err := NameDatabase(other, "/var/recon/recon.db"); err != other {
		t.Errorf("not SQLite's: %v", err)
	}
	if err := NameDatabase(nil, "/var/recon/recon.db"); err != nil {
		t.Errorf("nil: %v", err)
	}
}
