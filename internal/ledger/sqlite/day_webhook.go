package sqlite

import (
	"context"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/mem"
	"github.com/kwikpaisa/recon/internal/recon"
)

// deliveryColumns are the columns of a delivery, as scanDeliveries reads
// them.
const deliveryColumns = `w.file_id, w.line, w.received_at, w.timestamp, w.event, w.entity, w.key, w.class, w.amount,
	w.currency, w.transaction_id, w.utr, w.body_sha256, w.verified, w.stale, w.problem`

// deliveriesOfKey reads the deliveries of one key (?1 entity, ?2 key)
// through the key table (keytable.go).
const deliveriesOfKey = `SELECT ` + deliveryColumns + ` FROM delivery_keys k
	CROSS JOIN deliveries w ON w.file_id = k.file_id AND w.line = k.line
	WHERE k.key_hash = recon_key_hash(?1, ?2) AND w.entity = ?1 AND w.key = ?2`

// deliveryReader appends rows of deliveryColumns to out, skipping those
// already taken (by file and line) when taken is not nil.
type deliveryReader struct {
	places ledger.Placers
	in     *ledger.Strings // words, interned
	taken  map[[2]int64]bool
	out    []recon.Delivery
}

func (r *deliveryReader) row(v *rowValues) error {
	file, line := v.Int(), v.Int()
	if r.taken != nil {
		at := [2]int64{file, line}
		if r.taken[at] {
			return nil
		}
		r.taken[at] = true
	}
	in := r.in
	dv := recon.Delivery{Place: r.places.Of(file).Src.At(int(line)), KeyNo: -1} // numberDeliveries numbers it
	dv.ReceivedAt, dv.Timestamp, dv.Event = recon.Instant(v.Int()), v.Int(), in.Word(v.Bytes())
	dv.Entity, dv.Key = recon.Entity(in.Word(v.Bytes())), v.String()
	class, err := storedClass(v.Bytes())
	if err != nil {
		return fmt.Errorf("delivery at %s: %w", dv.Place, err)
	}
	dv.Class = class
	if !v.IsNull() {
		dv.HasAmount = true
	}
	dv.Amount = recon.Amount(v.Int())
	dv.Currency, dv.TransactionID, dv.UTR = in.Word(v.Bytes()), v.String(), v.String()
	sum := v.Bytes()
	if len(sum) != hex.EncodedLen(len(dv.BodySHA256)) {
		return fmt.Errorf("delivery at %s: stored body hash %q is not a SHA-256", dv.Place, sum)
	}
	if _, err := hex.Decode(dv.BodySHA256[:], sum); err != nil {
		return fmt.Errorf("delivery at %s: stored body hash %q: %w", dv.Place, sum, err)
	}
	word := v.Bytes()
	verified, ok := recon.ParseVerifyMethod(string(word))
	if !ok {
		return fmt.Errorf("delivery at %s: stored verification %q is none of \"\", \"raw\", \"canonical\"", dv.Place, word)
	}
	dv.Verified, dv.Stale = verified, v.Int() != 0
	dv.Problem = in.Word(v.Bytes())
	r.out = append(r.out, dv)
	return nil
}

// ownLogs returns the file ids of the day's own webhook logs (its own and
// the next date's), in path order.
func (sc *dayScope) ownLogs() []int64 {
	var ids []int64
	for _, role := range []string{"webhooks", "webhooks_next"} {
		if id, ok := sc.roles[role]; ok {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return sc.paths[ids[i]] < sc.paths[ids[j]] })
	return ids
}

// loadOwnDeliveries reads every delivery of the day's own logs, in path and
// line order, on conn: LoadDay runs it on a connection of its own, beside
// the rest of the load. It reads only what dayScope found before it
// started, and interns words with a ledger.Strings of its own.
func loadOwnDeliveries(ctx context.Context, conn *sqlx.Conn, sc *dayScope) ([]recon.Delivery, error) {
	ids := sc.ownLogs()
	n := 0
	for _, id := range ids {
		n += sc.share(sc.accepted[id])
	}
	own := &deliveryReader{places: ledger.NewPlacers(sc.paths), in: &ledger.Strings{}, out: make([]recon.Delivery, 0, n)}
	mem.Populate(own.out)
	for _, id := range ids {
		err := sc.partRows(ctx, conn, sc.ownLogSource(id), func(row func(*rowValues) error) error {
			return bulkQuery(ctx, conn, sc.readSize, ownQuery(""), []any{id}, row)
		}, own.row)
		if err != nil {
			return nil, err
		}
	}
	return own.out, nil
}

// ownQuery is loadOwnDeliveries's query of one log (file_id ?), with the
// columns route after the delivery's.
func ownQuery(route string) string {
	return `SELECT ` + deliveryColumns + route + ` FROM deliveries w WHERE w.file_id = ? ORDER BY w.line`
}

// loadDeliveries loads every delivery of the day's logs (its own and the
// next date's), and every delivery of another live log that is of a key of
// the day or repeats a body delivered in the day; ordered by log path and
// line (recon.Day.GroupDeliveries then groups them by key).
func (s *DB) loadDeliveries(ctx context.Context, d *recon.Day, sc *dayScope) error {
	if id, ok := sc.roles["webhooks"]; ok {
		d.DayLog = sc.paths[id]
	}
	if err := sc.waitOwn(); err != nil {
		return err
	}
	d.Deliveries = sc.ownDeliveries
	var others []string
	for id := range sc.webhooks {
		if id != sc.roles["webhooks"] && id != sc.roles["webhooks_next"] {
			others = append(others, itoa(id))
		}
	}
	if len(others) == 0 {
		return nil
	}
	// Other logs: deliveries of the day's keys, or repeating a body the
	// day's logs hold.
	sort.Strings(others)
	in := "(" + strings.Join(others, ",") + ")"
	more := &deliveryReader{places: ledger.NewPlacers(sc.paths), in: sc.intern, taken: map[[2]int64]bool{}}
	if err := joinLedgerDeliveries(ctx, sc, " AND w.file_id IN "+in, more.row); err != nil {
		return err
	}
	err := bulkQueryEach(ctx, sc.conn, sc.readSize, deliveriesOfKey+` AND w.file_id IN `+in, sc.gatewayOnlyArgs, more.row)
	if err != nil {
		return err
	}
	if ownIDs := sc.ownLogs(); len(ownIDs) > 0 {
		owned := make([]string, len(ownIDs))
		for i, id := range ownIDs {
			owned[i] = itoa(id)
		}
		cond, args := sc.deliveryCond("w")
		err := bulkQuery(ctx, sc.conn, sc.readSize, `SELECT `+deliveryColumns+` FROM deliveries w WHERE w.file_id IN `+in+`
			AND w.body_sha256 IN (SELECT body_sha256 FROM deliveries WHERE file_id IN (`+strings.Join(owned, ",")+`))`+cond, args, more.row)
		if err != nil {
			return err
		}
	}
	if len(more.out) == 0 {
		return nil
	}
	d.Deliveries = append(d.Deliveries, more.out...)
	sort.SliceStable(d.Deliveries, func(i, j int) bool {
		a, b := d.Deliveries[i].Place, d.Deliveries[j].Place
		if fa, fb := a.File(), b.File(); fa != fb {
			return fa < fb
		}
		return a.LineNo() < b.LineNo()
	})
	return nil
}

// numberDeliveries sets the KeyNo of each delivery of the day not numbered
// yet (findDeliveryKeys), adding the keys the ledgers and gateway records do
// not have; -1 stays for a delivery that names no pay-in or payout key.
// The keys are looked up a batch at a time (recon.Keys.FindEach), each
// entity's in the deliveries' order, and those not found added in that
// order, so the keys are numbered as one delivery at a time would number
// them.
func (sc *dayScope) numberDeliveries(d *recon.Day) { sc.deliveryKeys(d.Deliveries, true) }

// findDeliveryKeys numbers the deliveries whose key the index holds already
// (the ledgers' keys), adding none: the reader beside does it while the
// pay-ins' gateway records, which only read the index, are loaded, and
// numberDeliveries is left the others. A number found is the one
// numberDeliveries would give: the index only grows.
func (sc *dayScope) findDeliveryKeys(dvs []recon.Delivery) { sc.deliveryKeys(dvs, false) }

// deliveryKeys looks up the keys of the deliveries not yet numbered (KeyNo
// -1, a key named), setting the KeyNo and sharing the string of each found,
// and, with add, adding each not found.
func (sc *dayScope) deliveryKeys(dvs []recon.Delivery, add bool) {
	const batch = 256
	var (
		at    [batch]int
		keys  [batch]string
		found [batch]int32
	)
	for start := 0; start < len(dvs); start += batch {
		part := dvs[start:min(start+batch, len(dvs))]
		for _, entity := range []recon.Entity{recon.EntityPayin, recon.EntityPayout} {
			sk := sc.keys[entity]
			n := 0
			for i := range part {
				if dv := &part[i]; dv.KeyNo < 0 && dv.Entity == entity && dv.Key != "" {
					at[n], keys[n] = i, dv.Key
					n++
				}
			}
			sk.index.FindEach(keys[:n], found[:n])
			for j, no := range found[:n] {
				dv := &part[at[j]]
				switch {
				case no >= 0:
					dv.KeyNo, dv.Key = no, sk.index.Key(no)
				case add:
					_, dv.KeyNo, dv.Key = sk.addString(dv.Key)
				}
			}
		}
	}
}
