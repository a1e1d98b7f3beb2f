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
	if plan := queryPlan(t, db, createdQuery(`, entity, 0, recon_key_hash(entity, key)`), createdArgs(1, 2)...); !strings.Contains(plan, "COVERING INDEX gateway_by_created_hour (<expr>>? AND <expr><?)") {
		t.Errorf("records created in the day: plan %q, want the index by creation time", plan)
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
