package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

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

// ReadWebhooks reads a webhook log (SPEC §2.3), verifying each delivery's
// signature and timestamp. Every delivery whose line can be read is sent to
// sink, verified or not: an unverified or stale one is reported, never used
// as evidence. A line that is not a stored delivery, or a verified delivery
// whose body cannot be read, is rejected.
func ReadWebhooks(ctx context.Context, path string, opts Options, sink Sink) (Counts, error) {
	opts = opts.withDefaults()
	var counts Counts
	src := recon.SourceOf(path, "")
	err := parseLines(ctx, path, &counts, sink.Reject,
		func(line []byte) (*recon.Delivery, *fieldError) { return ParseDelivery(line, &opts) },
		func(n int, d *recon.Delivery) error {
			d.Place = src.At(n)
			if sink.Delivery == nil {
				return nil
			}
			return sink.Delivery(d)
		})
	return counts, err
}

// notStored is the rejection of a line whose field column is not what a
// stored delivery has there (want: "a string", "an object").
func notStored(column string, v *kwikpaisa.PlainValue, want string) *fieldError {
	return &fieldError{column: column, value: truncate(string(v.Raw), 80),
		reason: "line is not a stored webhook delivery: " + column + " is not " + want}
}

// ParseDelivery reads and verifies one stored delivery.
func ParseDelivery(line []byte, opts *Options) (*recon.Delivery, *fieldError) {
	o := opts.withDefaults()
	opts = &o
	p := parsers.Get().(*parser)
	defer parsers.Put(p)
	sd, err := jsonObject(p, line)
	if err != nil {
		return nil, &fieldError{value: truncate(string(line), 80), reason: "line is not a stored webhook delivery: " + err.Error()}
	}
	bodyValue := sd.get("body")
	if bodyValue == nil || bodyValue.Kind == 'n' {
		return nil, &fieldError{column: "body", reason: "delivery has no body"}
	}
	if bodyValue.Kind != '"' {
		return nil, notStored("body", bodyValue, "a string")
	}
	receivedAt := sd.get("received_at")
	if receivedAt != nil && receivedAt.Kind != '"' && receivedAt.Kind != 'n' {
		return nil, notStored("received_at", receivedAt, "a string")
	}
	var d recon.Delivery
	received, err := ParseTime(sd.text(receivedAt), opts.Zone)
	if err != nil {
		return nil, bad("received_at", sd.text(receivedAt), err)
	}
	d.ReceivedAt = recon.InstantOf(received)
	headers, ok := sd.obj("headers")
	if hv := sd.get("headers"); !ok && hv != nil && hv.Kind != 'n' {
		return nil, notStored("headers", hv, "an object")
	}
	sig, sigOK := header(headers, "x-signature")
	ts, tsOK := header(headers, "x-timestamp")
	if !sigOK {
		sig = "" // two different signatures: neither is trusted
	}
	if !tsOK {
		ts = ""
	}
	// body points into p's line or its buffer, which stay ours until this
	// returns; nothing kept in d refers to it.
	body := p.stringBytes(bodyValue)
	d.BodySHA256 = sha256.Sum256(body)

	// What the signature covers and what is read from it must be the same
	// bytes meaning the same thing: a body that is not strict JSON (a key
	// repeated, however spelled; invalid UTF-8; a lone surrogate) is
	// verified by neither method and never read (SPEC §2.3).
	bp := parsers.Get().(*parser)
	defer parsers.Put(bp)
	bodyRoot, strictErr := parseStrict(bp, body)
	if d.Timestamp, err = strconv.ParseInt(ts, 10, 64); err != nil {
		// Without a timestamp nothing can verify: the delivery is kept as
		// invalid and stale.
		d.Stale = true
	} else {
		if strictErr == nil {
			vs := verifiers.get(opts.WebhookSecrets)
			d.Verified = verifyDelivery(vs.v, body, ts, sig)
			verifiers.Put(vs)
		}
		skew := d.Timestamp - received.Unix()
		if skew < 0 {
			skew = -skew
		}
		d.Stale = skew > int64(opts.ReplayWindow.Seconds())
	}
	if strictErr != nil {
		reason := strictErr.Error()
		if se := (*kwikpaisa.StrictError)(nil); errors.As(strictErr, &se) {
			reason = se.Reason
		}
		d.Problem = recon.NotStrictJSON + ": " + reason
		return &d, nil
	}
	if fe := parseDeliveryBody(bp, bodyRoot, body, &d); fe != nil {
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
// with different values, or as anything but a string or list of strings.
func header(h object, name string) (value string, ok bool) {
	var first []byte // the first value, in the parser's buffer until returned
	seen := false
	ok = true
	add := func(b []byte) {
		b = bytes.TrimSpace(b)
		if !seen {
			first, seen = b, true
		} else if !bytes.Equal(b, first) {
			ok = false
		}
	}
	for _, m := range h.members() {
		if !ok {
			break
		}
		if !bytes.EqualFold(m.Name, []byte(name)) {
			continue
		}
		switch v := &m.Value; v.Kind {
		case '"':
			add(h.p.stringBytes(v))
		case '[':
			for _, it := range h.p.doc.Members[v.First:v.End] {
				if it.Value.Kind != '"' {
					ok = false
					break
				}
				add(h.p.stringBytes(&it.Value))
			}
		case 'n':
			add(nil) // as encoding/json reads null into a string
		default:
			ok = false
		}
	}
	if !ok {
		return "", false
	}
	return h.p.a.string(first), true
}

// verifyDelivery tries every secret over the raw body, then over its
// canonical JSON; it returns how the signature verified, if it did. The
// body must have passed checkJSON.
func verifyDelivery(secrets []*kwikpaisa.Verifier, body []byte, ts, sig string) recon.VerifyMethod {
	if sig == "" {
		return recon.VerifyNone
	}
	for _, v := range secrets {
		if v.Verify(body, ts, sig) {
			return recon.VerifyRaw
		}
	}
	canon, err := kwikpaisa.CanonicalJSON(body)
	if err != nil {
		return recon.VerifyNone
	}
	for _, v := range secrets {
		if v.Verify(canon, ts, sig) {
			return recon.VerifyCanonical
		}
	}
	return recon.VerifyNone
}

// verifiers are reusable webhook Verifiers, one set per parsing goroutine
// at a time: a set is rebuilt when the secrets it was made for differ.
var verifiers verifierPool

type verifierPool struct{ sync.Pool }

// verifierSet verifies under each of secrets, in order.
type verifierSet struct {
	secrets []string
	v       []*kwikpaisa.Verifier
}

func (p *verifierPool) get(secrets []string) *verifierSet {
	vs, _ := p.Get().(*verifierSet)
	if vs == nil || !slices.Equal(vs.secrets, secrets) {
		vs = &verifierSet{secrets: slices.Clone(secrets), v: make([]*kwikpaisa.Verifier, len(secrets))}
		for i, s := range secrets {
			vs.v[i] = kwikpaisa.NewVerifier(s)
		}
	}
	return vs
}

// parseDeliveryBody reads the event and its data into d, from a body p
// read (parseStrict) as root.
func parseDeliveryBody(p *parser, root kwikpaisa.PlainValue, body []byte, d *recon.Delivery) *fieldError {
	m, err := p.object(root)
	if err != nil {
		return &fieldError{column: "body", value: truncate(string(body), 80), reason: "body is not a JSON object: " + err.Error()}
	}
	d.Event = m.str("event")
	ev, ok := events[d.Event]
	if !ok {
		return &fieldError{column: "event", value: d.Event, reason: fmt.Sprintf("event %q is not a KwikPaisa webhook event", d.Event)}
	}
	d.Entity, d.Class = ev.entity, ev.class
	data, ok := m.obj("data")
	if !ok {
		return &fieldError{column: "data", reason: "body has no data object"}
	}
	keyField := "order_id"
	if d.Entity == recon.EntityPayout {
		keyField = "payout_order_id"
	}
	key, fe := data.id(keyField)
	if fe != nil {
		return fe
	}
	if d.Key, err = ParseID(key); err != nil {
		return bad(keyField, key, err)
	}
	amountField, a := "amount", data.str("amount")
	if strings.TrimSpace(a) == "" {
		amountField, a = "order_amount", data.str("order_amount") // pay-in data written like a status record
	}
	if strings.TrimSpace(a) != "" {
		if d.Amount, err = ParseAmount(a); err != nil {
			return bad(amountField, a, err)
		}
		d.HasAmount = true
	}
	if d.Currency, err = parseCurrency(data.str("currency")); err != nil {
		return bad("currency", data.str("currency"), err)
	}
	var v [3]string
	if fe := data.ids(v[:], "transaction_id", "utr", "rrn_number"); fe != nil {
		return fe
	}
	txn, utr, rrn := v[0], v[1], v[2]
	d.TransactionID = strings.TrimSpace(txn)
	if strings.TrimSpace(utr) == "" {
		utr = rrn
	}
	d.UTR, _ = NormalizeUTR(utr, false)
	return nil
}
