package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

// LoadConcurrency is how many files a run loads at once: two, so the
// server writes one file's rows while recon reads the other's (a webhook
// log's signatures cost recon more than its rows cost the server, a
// gateway dump the other way round).
func (s *DB) LoadConcurrency() int { return 2 }

// copyBatch is how many rows of one table a loader gathers before it
// copies them in.
const copyBatch = 10000

// A table a loader copies into: its columns, the COPY statement that
// sends them, and its slot, its place in loaderTables.
type copyTable struct {
	slot    int
	name    string
	columns []string
	copySQL string
}

func newCopyTable(slot int, name string, columns ...string) *copyTable {
	cols := make([]string, len(columns))
	for i, col := range columns {
		cols[i] = pgx.Identifier{col}.Sanitize()
	}
	return &copyTable{slot: slot, name: name, columns: columns,
		copySQL: `COPY ` + pgx.Identifier{name}.Sanitize() + ` (` + strings.Join(cols, ", ") + `) FROM STDIN (FORMAT binary)`}
}

var (
	ordersTable = newCopyTable(0, "orders", "merchant_id", "file_id", "seq", "line", "order_id", "amount", "currency",
		"status", "class", "created_at", "transaction_id", "payment_method")
	payoutsTable = newCopyTable(1, "payouts", "merchant_id", "file_id", "seq", "line", "payout_order_id", "amount",
		"currency", "status", "class", "transfer_mode", "beneficiary_account", "beneficiary_ifsc", "beneficiary_vpa",
		"utr", "utr_corrupted", "utr_raw", "requested_at")
	gatewayTable = newCopyTable(2, "gateway_records", "merchant_id", "file_id", "line", "entity", "key", "gateway_id",
		"amount", "currency", "status", "class", "transaction_id", "bank_reference", "utr", "payment_method",
		"transfer_mode", "beneficiary_account", "beneficiary_ifsc", "beneficiary_vpa", "failure_reason", "created_at",
		"settled_at", "fetched_at", "raw")
	deliveriesTable = newCopyTable(3, "deliveries", "merchant_id", "file_id", "line", "received_at", "timestamp",
		"event", "entity", "key", "class", "amount", "currency", "transaction_id", "utr", "body_sha256", "verified",
		"stale", "problem")
	rejectsTable = newCopyTable(4, "rejects", "merchant_id", "file_id", "seq", "line", "field", "value", "reason")

	loaderTables = [...]*copyTable{ordersTable, payoutsTable, gatewayTable, deliveriesTable, rejectsTable}
)

// loader gathers the rows of one file, table by table, and copies each
// table's in when it has a batch; seq numbers the ledgers' rows and the
// rejects in file order, as SQLite's store does.
type loader struct {
	ctx  context.Context
	tx   pgx.Tx
	m    string
	file int64
	now  int64
	seq  int64
	// rows holds each table's batch under way, by slot; sent the size of
	// each table's last batch copied in (the room of its next), 0 for a
	// table none was copied into.
	rows [len(loaderTables)]*copyRows
	sent [len(loaderTables)]int
	// inFlight reports the end of the copy under way.
	inFlight chan error
}

func (l *loader) next() int64 { l.seq++; return l.seq }

// row starts a row of t, its merchant and file packed.
func (l *loader) row(t *copyTable) *copyRows {
	c := l.rows[t.slot]
	if c == nil {
		c = newCopyRows(t, max(l.sent[t.slot], 64<<10))
		l.rows[t.slot] = c
	}
	c.row()
	c.Text(l.m)
	c.Int(l.file)
	return c
}

// end ends the row c, copying the table's batch in when it is full.
func (l *loader) end(c *copyRows) error {
	if err := c.end(); err != nil {
		return err
	}
	if c.rows < copyBatch {
		return nil
	}
	return l.copy(c.t)
}

// copy sends the batch t has gathered to the server. The copy runs while
// the caller reads on into the next batch, so the file's reading and the
// server's writing overlap; one copy at a time, as a transaction's
// connection runs one command at a time.
func (l *loader) copy(t *copyTable) error {
	c := l.rows[t.slot]
	if c == nil || c.rows == 0 {
		return nil
	}
	if err := l.wait(); err != nil {
		return err
	}
	l.rows[t.slot] = nil
	l.sent[t.slot] = cap(c.buf)
	done := make(chan error, 1)
	l.inFlight = done
	go func() { done <- copyIn(l.ctx, l.tx, c) }()
	return nil
}

// wait waits for the copy in flight, if any, and returns its error.
func (l *loader) wait() error {
	if l.inFlight == nil {
		return nil
	}
	err := <-l.inFlight
	l.inFlight = nil
	return err
}

// flush copies in what every table has gathered.
func (l *loader) flush() error {
	for _, t := range loaderTables {
		if err := l.copy(t); err != nil {
			return err
		}
	}
	return l.wait()
}

// Order stores an order row.
func (l *loader) Order(o *recon.Order) error {
	c := l.row(ordersTable)
	ledger.OrderValues(c, l.next(), o)
	return l.end(c)
}

// Payout stores a payout row.
func (l *loader) Payout(p *recon.Payout) error {
	c := l.row(payoutsTable)
	ledger.PayoutValues(c, l.next(), p)
	return l.end(c)
}

// Gateway stores a gateway record read from a dump.
func (l *loader) Gateway(g *recon.GatewayRecord) error {
	c := l.row(gatewayTable)
	ledger.GatewayValues(c, l.now, g, false)
	return l.end(c)
}

// Delivery stores a webhook delivery.
func (l *loader) Delivery(d *recon.Delivery) error {
	c := l.row(deliveriesTable)
	ledger.DeliveryValues(c, d)
	return l.end(c)
}

// Reject stores a rejected row. PostgreSQL text holds neither invalid
// UTF-8 nor NUL: both become U+FFFD in the stored value.
func (l *loader) Reject(r *recon.Reject) error {
	c := l.row(rejectsTable)
	c.Int(l.next())
	c.Text(r.Line)
	c.Text(r.Column)
	c.Text(strings.ReplaceAll(strings.ToValidUTF8(r.Value, "\uFFFD"), "\x00", "\uFFFD"))
	c.Text(r.Reason)
	return l.end(c)
}
