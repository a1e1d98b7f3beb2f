package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
)

// TestShiftedAmountRejectedEndToEnd runs `recon run` on a CSV whose last
// column is the amount and whose one row has it unquoted with a thousands
// separator: the summary says 1 read, 0 accepted, 1 rejected, the rejects
// report names the file, line and fix, and no amount of 1.00 is stored.
// Today's main stored it as 1.00 ("1 read, 1 accepted, 0 rejected").
func TestShiftedAmountRejectedEndToEnd(t *testing.T) {
	tmp := t.TempDir()
	orders := filepath.Join(tmp, "orders.csv")
	writeTestFile(t, orders, "order_id,status,created_at,amount\nORD-1,paid,2026-11-24 10:00,1,500.00\n")
	db := filepath.Join(tmp, "recon.db")
	code, _, stderr := runRecon(t, time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC), "run", "--date", "2026-11-24",
		"--orders", orders, "--offline", "--db", db, "--out", tmp)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	dir := filepath.Join(tmp, "2026-11-24")
	figures := map[string]string{}
	for _, r := range readCSV(t, filepath.Join(dir, "summary.csv"))[1:] {
		if r[0] == "input" && r[1] == orders {
			figures[r[2]] = r[3]
		}
	}
	for name, want := range map[string]string{"rows_read": "1", "rows_accepted": "0", "rows_rejected": "1"} {
		if figures[name] != want {
			t.Errorf("summary %s of %s = %q, want %q (all %v)", name, orders, figures[name], want, figures)
		}
	}
	rejects := readCSV(t, filepath.Join(dir, "rejects.csv"))
	want := []string{orders, "2", "", "ORD-1,paid,2026-11-24 10:00,1,500.00",
		"row has 5 fields, header has 4: an unquoted amount with a thousands separator such as 1,500.00 shifts columns; quote it or remove the separator"}
	if len(rejects) != 2 || strings.Join(rejects[1], "|") != strings.Join(want, "|") {
		t.Errorf("rejects.csv = %q, want one row %q", rejects, want)
	}
	store, err := sql.Open("sqlite3", db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var n int
	if err := store.QueryRow(`SELECT count(*) FROM orders`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("the store holds %d orders, want none (the shifted row must not be stored, at 1.00 or otherwise)", n)
	}
}

// TestCROnlyLedgerEndToEnd: a ledger saved with CR line ends and Excel's
// sep=; first line (as old Mac Excel writes it) is read row by row, with
// its rejects on the lines a person sees. Today's main failed with
// "missing required column" although the header has it.
func TestCROnlyLedgerEndToEnd(t *testing.T) {
	tmp := t.TempDir()
	orders := filepath.Join(tmp, "orders.csv")
	writeTestFile(t, orders, "\ufeffsep=;\rorder_id;amount;status;created_at\rA;\"1.500,00\";paid;2026-11-24 10:00\rB;2.00;paid;2026-11-24 11:00\r")
	code, _, stderr := runRecon(t, time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC), "run", "--date", "2026-11-24",
		"--orders", orders, "--offline", "--db", filepath.Join(tmp, "recon.db"), "--out", tmp)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	dir := filepath.Join(tmp, "2026-11-24")
	figures := map[string]string{}
	for _, r := range readCSV(t, filepath.Join(dir, "summary.csv"))[1:] {
		if r[0] == "input" && r[1] == orders {
			figures[r[2]] = r[3]
		}
	}
	for name, want := range map[string]string{"rows_read": "2", "rows_accepted": "1", "rows_rejected": "1"} {
		if figures[name] != want {
			t.Errorf("summary %s = %q, want %q (all %v)", name, figures[name], want, figures)
		}
	}
	rejects := readCSV(t, filepath.Join(dir, "rejects.csv"))
	if len(rejects) != 2 || rejects[1][1] != "3" || rejects[1][2] != "amount" {
		t.Errorf("rejects.csv = %q, want one reject of the amount on line 3", rejects)
	}
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
