package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/kwikpaisa/recon/internal/kwikpaisa"
	"github.com/kwikpaisa/recon/internal/recon"
)

// events maps each webhook event to its entity and status class (SPEC §2.3).
var events = map[string]struct {
	entity recon.Entity
	class  recon.StatusClass
}{
	"payment.success":    {recon.EntityPayin, recon.StatusSuccess},
	"payment.failed":     {recon.EntityPayin, recon.StatusNotPaid},
	"payment.expired":    {recon.EntityPayin, recon.StatusNotPaid},
	"payment.processing": {recon.EntityPayin, recon.StatusPending},
	"payout.success":     {recon.EntityPayout, recon.StatusSuccess},
	"payout.failed":      {recon.EntityPayout, recon.StatusFailed},
	"payout.processing":  {recon.EntityPayout, recon.StatusPending},
	"payout.reversed":    {recon.EntityPayout, recon.StatusReversed},
}

// storedDelivery is one line of a webhook log.
type storedDelivery struct {
	ReceivedAt string                     `json:"received_at"`
	Headers    map[string]json.RawMessage `json:"headers"`
	Body       *string                    `json:"body"`
}

// ReadWebhooks reads a webhook log (SPEC §2.3), verifying each delivery's
// signature and timestamp. Every delivery whose line can be read is sent to
// sink, verified or not: an unverified or stale one is reported, never used
// as evidence. A line that is not a stored delivery, or a verified delivery
// whose body cannot be read, is rejected.
func ReadWebhooks(ctx context.Context, path string, opts Options, sink Sink) (Counts, error) {
	opts = opts.withDefaults()
	var counts Counts
	err := readLines(ctx, path, &counts, sink.Reject, func(n int, line []byte) error {
		d, fe := ParseDelivery(line, &opts)
		if fe != nil {
			counts.reject()
			return emitReject(sink.Reject, &recon.Reject{File: path, Line: strconv.Itoa(n), Column: fe.column, Value: fe.value, Reason: fe.reason})
		}
		counts.accept()
		d.Place = recon.Place{File: path, Line: strconv.Itoa(n)}
		if sink.Delivery == nil {
			return nil
		}
		return sink.Delivery(d)
	})
	return counts, err
}

// ParseDelivery reads and verifies one stored delivery.
func ParseDelivery(line []byte, opts *Options) (*recon.Delivery, *fieldError) {
	o := opts.withDefaults()
	opts = &o
	var sd storedDelivery
	if err := json.Unmarshal(line, &sd); err != nil {
		return nil, &fieldError{value: truncate(string(line), 80), reason: "line is not a stored webhook delivery: " + err.Error()}
	}
	if sd.Body == nil {
		return nil, &fieldError{column: "body", reason: "delivery has no body"}
	}
	var d recon.Delivery
	var err error
	if d.ReceivedAt, err = ParseTime(sd.ReceivedAt, opts.Zone); err != nil {
		return nil, bad("received_at", sd.ReceivedAt, err)
	}
	sig, sigOK := header(sd.Headers, "x-signature")
	ts, tsOK := header(sd.Headers, "x-timestamp")
	if !sigOK {
		sig = "" // two different signatures: neither is trusted
	}
	if !tsOK {
		ts = ""
	}
	body := []byte(*sd.Body)
	sum := sha256.Sum256(body)
	d.BodySHA256 = hex.EncodeToString(sum[:])

	if d.Timestamp, err = strconv.ParseInt(ts, 10, 64); err != nil {
		// Without a timestamp nothing can verify: the delivery is kept as
		// invalid and stale.
		d.Stale = true
	} else {
		d.Verified = verifyDelivery(opts.WebhookSecrets, body, ts, sig)
		skew := d.Timestamp - d.ReceivedAt.Unix()
		if skew < 0 {
			skew = -skew
		}
		d.Stale = skew > int64(opts.ReplayWindow.Seconds())
	}

	if fe := parseDeliveryBody(body, &d); fe != nil {
		if d.Verified != recon.VerifyNone {
			return nil, fe
		}
		d.Problem = fe.reason
	}
	return &d, nil
}

// header returns a header's value, its name matched case-insensitively. A
// value stored as a list of strings counts when the list has one distinct
// value; ok is false when the delivery carries the header more than once
// with different values.
func header(h map[string]json.RawMessage, name string) (value string, ok bool) {
	var vals []string
	for k, raw := range h {
		if !strings.EqualFold(k, name) {
			continue
		}
		var one string
		var many []string
		switch {
		case json.Unmarshal(raw, &one) == nil:
			vals = append(vals, strings.TrimSpace(one))
		case json.Unmarshal(raw, &many) == nil:
			for _, v := range many {
				vals = append(vals, strings.TrimSpace(v))
			}
		default:
			return "", false
		}
	}
	for _, v := range vals {
		if v != vals[0] {
			return "", false
		}
	}
	if len(vals) == 0 {
		return "", true
	}
	return vals[0], true
}

// verifyDelivery tries every secret over the raw body, then over its
// canonical JSON, and says which verified.
func verifyDelivery(secrets []string, body []byte, ts, sig string) recon.VerifyMethod {
	if sig == "" {
		return recon.VerifyNone
	}
	for _, s := range secrets {
		if kwikpaisa.Verify(s, body, ts, sig) {
			return recon.VerifyRaw
		}
	}
	canon, err := kwikpaisa.CanonicalJSON(body)
	if err != nil {
		return recon.VerifyNone
	}
	for _, s := range secrets {
		if kwikpaisa.Verify(s, canon, ts, sig) {
			return recon.VerifyCanonical
		}
	}
	return recon.VerifyNone
}

// parseDeliveryBody reads the event and its data into d.
func parseDeliveryBody(body []byte, d *recon.Delivery) *fieldError {
	m, err := jsonObject(body)
	if err != nil {
		return &fieldError{column: "body", value: truncate(string(body), 80), reason: "body is not a JSON object: " + err.Error()}
	}
	d.Event = str(m, "event")
	ev, ok := events[d.Event]
	if !ok {
		return &fieldError{column: "event", value: d.Event, reason: fmt.Sprintf("event %q is not a KwikPaisa webhook event", d.Event)}
	}
	d.Entity, d.Class = ev.entity, ev.class
	data, ok := m["data"].(map[string]any)
	if !ok {
		return &fieldError{column: "data", reason: "body has no data object"}
	}
	keyField := "order_id"
	if d.Entity == recon.EntityPayout {
		keyField = "payout_order_id"
	}
	if d.Key, err = ParseID(str(data, keyField)); err != nil {
		return bad(keyField, str(data, keyField), err)
	}
	amountField := "amount"
	if strings.TrimSpace(str(data, amountField)) == "" {
		amountField = "order_amount" // pay-in data written like a status record
	}
	if a := str(data, amountField); strings.TrimSpace(a) != "" {
		if d.Amount, err = ParseAmount(a); err != nil {
			return bad(amountField, a, err)
		}
		d.HasAmount = true
	}
	if d.Currency, err = parseCurrency(str(data, "currency")); err != nil {
		return bad("currency", str(data, "currency"), err)
	}
	d.TransactionID = strings.TrimSpace(str(data, "transaction_id"))
	utr := str(data, "utr")
	if strings.TrimSpace(utr) == "" {
		utr = str(data, "rrn_number")
	}
	d.UTR, _ = NormalizeUTR(utr, false)
	return nil
}
