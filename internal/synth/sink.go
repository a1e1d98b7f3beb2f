package synth

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/kwikpaisa/recon/internal/kwikpaisa"
)

// sinks are the four day files, open while the day is generated.
type sinks struct {
	files            []*os.File
	bufs             []*bufio.Writer
	orders, payouts  *csv.Writer
	gateway, webhook *bufio.Writer
	line, body       []byte // scratch, reused for every line
	keys             []string
	// The gateway dump's and the webhook log's lines in time order; nil
	// when the day is written in key order.
	gatewayOrder, webhookOrder *timeOrder
}

func openSinks(dir string, keyOrder bool, runBytes int) (*sinks, error) {
	s := &sinks{}
	for _, name := range []string{"orders.csv", "payouts.csv", "gateway.jsonl", "webhooks.jsonl"} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			s.abort()
			return nil, fmt.Errorf("create %s: %w", name, err)
		}
		s.files = append(s.files, f)
		s.bufs = append(s.bufs, bufio.NewWriterSize(f, 1<<20))
	}
	s.orders, s.payouts = csv.NewWriter(s.bufs[0]), csv.NewWriter(s.bufs[1])
	s.gateway, s.webhook = s.bufs[2], s.bufs[3]
	if !keyOrder {
		s.gatewayOrder = newTimeOrder(s.gateway, dir, runBytes)
		s.webhookOrder = newTimeOrder(s.webhook, dir, runBytes)
	}
	if err := s.orders.Write(orderHeader); err != nil {
		s.abort()
		return nil, fmt.Errorf("write orders.csv: %w", err)
	}
	if err := s.payouts.Write(payoutHeader); err != nil {
		s.abort()
		return nil, fmt.Errorf("write payouts.csv: %w", err)
	}
	return s, nil
}

// close writes what waits to be put in order, flushes and closes every
// file; abort closes what close did not.
func (s *sinks) close() error {
	for _, o := range []*timeOrder{s.gatewayOrder, s.webhookOrder} {
		if o != nil {
			if err := o.finish(); err != nil {
				s.abort()
				return fmt.Errorf("write in time order: %w", err)
			}
		}
	}
	s.orders.Flush()
	s.payouts.Flush()
	errs := []error{s.orders.Error(), s.payouts.Error()}
	for i, f := range s.files {
		if err := s.bufs[i].Flush(); err != nil {
			errs = append(errs, fmt.Errorf("write %s: %w", f.Name(), err))
		}
		if err := f.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close %s: %w", f.Name(), err))
		}
	}
	s.files = nil
	return errors.Join(errs...)
}

func (s *sinks) abort() {
	for _, o := range []*timeOrder{s.gatewayOrder, s.webhookOrder} {
		if o != nil {
			o.remove()
		}
	}
	for _, f := range s.files {
		f.Close()
	}
	s.files = nil
}

func (s *sinks) gatewayLine(created time.Time, g map[string]any) error {
	var err error
	if s.line, err = s.appendJSON(s.line[:0], g); err != nil {
		return err
	}
	s.line = append(s.line, '\n')
	if s.gatewayOrder != nil {
		// The gateway exports its records in the order it created them.
		return s.gatewayOrder.add(created.UnixNano(), s.line)
	}
	_, err = s.gateway.Write(s.line)
	return err
}

// webhookLine signs a delivery and writes it, Repeat+1 times, as
// {"body":…,"headers":{"X-Signature":…,"X-Timestamp":…},"received_at":…}:
// the bytes encoding/json writes for that map.
func (s *sinks) webhookLine(secret string, wh Webhook) error {
	var err error
	if wh.Raw != "" {
		s.body = append(s.body[:0], wh.Raw...)
	} else if s.body, err = s.appendJSON(s.body[:0], map[string]any{"event": wh.Event, "data": wh.Data}); err != nil {
		return err
	}
	body, signed := s.body, s.body
	ts := strconv.FormatInt(wh.ReceivedAt.Add(wh.Skew).Unix(), 10)
	if wh.Canonical {
		// Store the body with its keys in another order, signed over
		// its canonical form.
		if signed, err = kwikpaisa.CanonicalJSON(body); err != nil {
			return err
		}
		body = []byte(reorder(string(body)))
	}
	if wh.Forge {
		secret = "not-the-merchant-secret"
	}
	l := append(s.line[:0], `{"body":`...)
	l = appendString(l, string(body))
	l = append(l, `,"headers":{"X-Signature":"`...)
	l = append(l, kwikpaisa.Sign(secret, signed, ts)...)
	l = append(l, `","X-Timestamp":"`...)
	l = append(l, ts...)
	l = append(l, `"},"received_at":"`...)
	l = wh.ReceivedAt.In(ist).AppendFormat(l, "2006-01-02T15:04:05.000-07:00")
	l = append(l, "\"}\n"...)
	s.line = l
	for i := 0; i <= wh.Repeat; i++ {
		if s.webhookOrder != nil {
			// The merchant's server stores deliveries as they arrive.
			if err := s.webhookOrder.add(wh.ReceivedAt.UnixNano(), l); err != nil {
				return err
			}
			continue
		}
		if _, err := s.webhook.Write(l); err != nil {
			return err
		}
	}
	return nil
}

// appendJSON appends v as encoding/json writes it without HTML escaping:
// map keys sorted, no spaces. It handles what the generator builds (maps
// of strings, json.Number, bools) by hand and hands anything else to
// encoding/json.
func (s *sinks) appendJSON(dst []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case string:
		return appendString(dst, v), nil
	case json.Number:
		return append(dst, v...), nil
	case bool:
		return strconv.AppendBool(dst, v), nil
	case map[string]any:
		mark := len(s.keys)
		for k := range v {
			s.keys = append(s.keys, k)
		}
		keys := s.keys[mark:]
		slices.Sort(keys)
		dst = append(dst, '{')
		var err error
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, k)
			dst = append(dst, ':')
			if dst, err = s.appendJSON(dst, v[k]); err != nil {
				break
			}
		}
		s.keys = s.keys[:mark]
		return append(dst, '}'), err
	}
	b, err := marshal(v)
	return append(dst, b...), err
}

// appendString appends s as a JSON string, as encoding/json does without
// HTML escaping; strings with control or non-ASCII bytes go to it.
func appendString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 {
			b, _ := marshal(s) // a string always encodes
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' {
			dst = append(dst, '\\')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}

// marshal writes JSON without HTML escaping, keys sorted (maps) as
// encoding/json does.
func marshal(v any) ([]byte, error) {
	var buf jsonBuffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.b[:len(buf.b)-1], nil
}

type jsonBuffer struct{ b []byte }

func (j *jsonBuffer) Write(p []byte) (int, error) { j.b = append(j.b, p...); return len(p), nil }
