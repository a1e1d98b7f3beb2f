package sqlite

import (
	"context"
	"strings"
	"testing"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/ledger/storetest"
	"github.com/kwikpaisa/recon/internal/recon"
)

// TestAuditIsAppendOnly: the store itself refuses to change or delete an
// entry, whatever code asks.
func TestAuditIsAppendOnly(t *testing.T) {
	ctx := context.Background()
	db := mustOpen(t)
	a := storetest.Exception(recon.AmountMismatch, "A")
	if err := db.SaveExceptions(ctx, "2026-11-20", "run-1", []recon.Exception{a}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Record(ctx, []ledger.Change{{Key: storetest.Key("2026-11-20", a), To: recon.StateInvestigating, Who: "asha"}}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DELETE FROM exception_audit`, `UPDATE exception_audit SET note = 'x'`} {
		if _, err := db.db.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want append-only refused", q, err)
		}
	}
	if n := len(storetest.Trail(t, db)); n != 1 {
		t.Errorf("%d entries, want the one recorded", n)
	}
}
