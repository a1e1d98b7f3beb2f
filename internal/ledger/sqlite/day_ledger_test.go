package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/kwikpaisa/recon/internal/recon"
)

func TestRowRuns(t *testing.T) {
	got := rowRuns([]int64{1, 2, 3, 3 + runGap, 4 + 2*runGap + 1, 1000})
	want := [][]any{{int64(1), int64(3 + runGap)}, {int64(4 + 2*runGap + 1), int64(4 + 2*runGap + 1)}, {int64(1000), int64(1000)}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rowRuns = %v, want %v", got, want)
	}
}

// TestRunQueryPlan: the gateway records of the ledgers' keys are read by
// runs of row ids, not through the key index by entity and sorted after
// (a dump in export order made that cost three times the key-ordered).
func TestRunQueryPlan(t *testing.T) {
	db := mustOpen(t)
	for _, columns := range []string{gatewayColumns, gatewayColumns + routeColumns("g")} {
		plan := queryPlan(t, db, runQuery(columns, "PAYIN"), 1, 100)
		if !strings.Contains(plan, "INTEGER PRIMARY KEY") || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("plan %q (columns %s): want a search by row id, in order", plan, columns)
		}
	}
}

// queryPlan returns SQLite's plan for q, its steps joined by "; ".
func queryPlan(t *testing.T, db *DB, q string, args ...any) string {
	t.Helper()
	rows, err := db.db.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var details []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		details = append(details, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(details, "; ")
}

// TestPartQueryPlans: the queries that read a day's source once for all
// its parts (partRows) read the range they are about (the day's own log,
// the records created in the day), not every row of every date through an
// index that leads with the entity. The store has none today; the string
// key indexes it had did (the records created in the day took 50.38 s to
// load at tier M3 through gateway_by_key, 22.83 s by creation time), and
// any index on (entity, …) would again.
func TestPartQueryPlans(t *testing.T) {
	db := mustOpen(t)
	for _, q := range []string{`CREATE INDEX deliveries_by_key ON deliveries (entity, key)`,
		`CREATE INDEX gateway_by_key ON gateway_records (entity, key, fetched_at)`} {
		if _, err := db.db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if plan := queryPlan(t, db, ownQuery(routeColumns("w")), 1); !strings.Contains(plan, "PRIMARY KEY (file_id=?)") {
		t.Errorf("own log: plan %q, want a search of the log's rows by primary key", plan)
	}
	if plan := queryPlan(t, db, createdIDs, 1, 2); !strings.Contains(plan, "COVERING INDEX gateway_by_created") {
		t.Errorf("records created in the day: plan %q, want their ids from the index by creation time alone", plan)
	}
	// The other logs' deliveries that repeat a body of the day's own log
	// are kept by the part's condition (deliveryCond).
	sc := &dayScope{part: recon.Part{Entity: recon.EntityPayin, No: 1, Of: 4}}
	cond, args := sc.deliveryCond("w")
	q := `SELECT w.line FROM deliveries w WHERE w.file_id IN (2, 3) AND w.body_sha256 IN (SELECT body_sha256 FROM deliveries WHERE file_id IN (1))` + cond
	if plan := queryPlan(t, db, q, args...); strings.Contains(plan, "deliveries_by_key") {
		t.Errorf("other logs' repeated bodies: plan %q, want no search by entity", plan)
	}
}

// TestCreatedRows: the index by creation time holds the time alone (an
// index covering the entity and key cost every record stored a third more
// writing), and the records created in the day are read through it in id
// order, each once, with their key's hash, whatever order they were
// stored in, and none created outside the day.
func TestCreatedRows(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	var cols []string
	if err := db.db.SelectContext(ctx, &cols, `SELECT name FROM pragma_index_info('gateway_by_created')`); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(cols) != "[created_at]" {
		t.Errorf("gateway_by_created holds %v, want [created_at]", cols)
	}
	const lo, hi = 1_000_000, 2_000_000
	// Stored newest first, with records of the days before and after, and
	// far apart in id: two runs.
	var want []string
	for i := range 300 {
		id, created := int64(i+1), int64(hi-1-i*3000)
		if i >= 200 {
			id += 10_000
		}
		if i%7 == 0 {
			created = lo - 1 - int64(i) // the day before
		}
		if i%11 == 0 {
			created = hi + int64(i) // the day after
		}
		entity, key := "PAYIN", fmt.Sprintf("ORD%d", i)
		if i%2 == 1 {
			entity = "PAYOUT"
		}
		_, err := db.db.ExecContext(ctx, `INSERT INTO gateway_records (id, line, entity, key, gateway_id, amount, currency,
			status, class, transaction_id, bank_reference, utr, payment_method, transfer_mode, beneficiary_account,
			beneficiary_ifsc, beneficiary_vpa, failure_reason, created_at, settled_at, fetched_at, key_hash)
			VALUES (?, '1', ?, ?, '', 0, 'INR', '', '', '', '', '', '', '', '', '', '', '', ?, 0, 0, ?)`,
			id, entity, key, created, recon.KeyHash(recon.Entity(entity), key))
		if err != nil {
			t.Fatal(err)
		}
		if created >= lo && created < hi {
			want = append(want, fmt.Sprintf("%d %s %s %d", id, entity, key, recon.KeyHash(recon.Entity(entity), key)))
		}
	}
	conn, err := db.db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sc := &dayScope{lo: lo, hi: hi, readSize: 1 << 10}
	var got []string
	err = createdRows(ctx, conn, sc, `, g.key_hash`, func(v *rowValues) error {
		got = append(got, fmt.Sprintf("%d %s %s %d", v.Int(), v.Bytes(), v.Bytes(), v.Int()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("created in the day:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
