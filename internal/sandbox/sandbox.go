// Package sandbox is a stand-in for KwikPaisa's v3 status API: it serves
// both status calls on loopback from a gateway dump, checks every request's
// key, signature and timestamp exactly as the gateway does, and injects the
// faults of a bad night (rate limits, 5xx, timeouts, broken bodies, dropped
// connections) so that recon's puller is run and tested without a KwikPaisa
// account.
package sandbox

import (
	"bufio"
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/kwikpaisa/recon/internal/kwikpaisa"
)

// Options configure a sandbox.
type Options struct {
	// APIKey and SecretKey are the credentials requests must carry; the
	// key must be a pk_test_ key.
	APIKey, SecretKey string
	// WalletID, when set, is the only kwikx_wallet_id payout calls may
	// name.
	WalletID string
	// Window is the largest accepted |X-TIMESTAMP − now| (default 300s).
	Window time.Duration
	// Now is the sandbox's clock (default time.Now).
	Now    func() time.Time
	Faults Faults
}

// Records are the gateway's records by key, each the return_data object
// exactly as the dump holds it.
type Records struct {
	Orders  map[string]json.RawMessage
	Payouts map[string]json.RawMessage
}

// Server is a running sandbox.
type Server struct {
	// URL is the base URL clients call, e.g. http://127.0.0.1:43117.
	URL string

	opts    Options
	recs    Records
	limiter *rate.Limiter
	srv     *http.Server
	ln      net.Listener
	done    chan struct{}

	mu       sync.Mutex
	total    int            // requests received
	hits     map[string]int // requests received per key
	inFlight int
	maxIn    int // the most requests in flight at once
}

// New returns a sandbox serving recs; Start starts it.
func New(recs Records, opts Options) (*Server, error) {
	if !strings.HasPrefix(opts.APIKey, "pk_test_") {
		return nil, errors.New("sandbox: the API key must be a pk_test_ key")
	}
	if opts.SecretKey == "" {
		return nil, errors.New("sandbox: a secret key is needed")
	}
	if opts.Window <= 0 {
		opts.Window = 300 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := opts.Faults.check(); err != nil {
		return nil, err
	}
	if recs.Orders == nil {
		recs.Orders = map[string]json.RawMessage{}
	}
	if recs.Payouts == nil {
		recs.Payouts = map[string]json.RawMessage{}
	}
	s := &Server{opts: opts, recs: recs, hits: map[string]int{}}
	if f := opts.Faults; f.RateLimit > 0 {
		s.limiter = rate.NewLimiter(rate.Limit(f.RateLimit), max(f.Burst, 1))
	}
	return s, nil
}

// Start listens on addr, which must be a loopback address ("127.0.0.1:0"
// picks a free port), and serves until Close.
func (s *Server) Start(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("sandbox: listen address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("sandbox: listen address %q is not a loopback address (127.0.0.1)", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	s.ln = ln
	s.URL = "http://" + ln.Addr().String()
	s.done = make(chan struct{})
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	return nil
}

// Close stops the sandbox at once, dropping requests in flight.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	err := s.srv.Close()
	<-s.done
	return err
}

// Requests returns the number of requests received so far.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// MaxInFlight returns the most requests the sandbox has served at once.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxIn
}

// Hits returns the number of requests received so far for one key.
func (s *Server) Hits(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[key]
}

// LoadRecords reads a gateway dump (SPEC §2.2): each line's return_data is
// served for its order_id, or its payout_order_id for a payout. A later
// line for a key replaces an earlier one; a line that is not a JSON object
// with a key is skipped and counted.
func LoadRecords(path string) (Records, int, error) {
	recs := Records{Orders: map[string]json.RawMessage{}, Payouts: map[string]json.RawMessage{}}
	f, err := os.Open(path)
	if err != nil {
		return recs, 0, fmt.Errorf("sandbox: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	skipped := 0
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		// A line that is not strict JSON is skipped, as recon rejects it:
		// with a key repeated, the key served here and the record the
		// client reads could differ.
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		if kwikpaisa.CheckStrict(line) != nil || dec.Decode(&m) != nil || m == nil {
			skipped++
			continue
		}
		raw := json.RawMessage(append([]byte(nil), line...))
		if k := text(m["payout_order_id"]); k != "" {
			recs.Payouts[k] = raw
		} else if k := text(m["order_id"]); k != "" {
			recs.Orders[k] = raw
		} else {
			skipped++
		}
	}
	if err := sc.Err(); err != nil {
		return recs, skipped, fmt.Errorf("sandbox: read %s: %w", path, err)
	}
	return recs, skipped, nil
}

func text(v any) string {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case json.Number:
		return v.String()
	}
	return ""
}

// ServeHTTP answers one request: rate limit, authentication, injected
// faults, then the record.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.total++
	n := s.total
	s.inFlight++
	s.maxIn = max(s.maxIn, s.inFlight)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()
	f := s.opts.Faults
	if f.Latency > 0 && !wait(r.Context(), f.Latency) {
		return
	}
	if r.Method != http.MethodPost || (r.URL.Path != kwikpaisa.OrderStatusPath && r.URL.Path != kwikpaisa.PayoutStatusPath) {
		// A web server's own page, as a wrong base path meets in front of
		// the API: it is no answer about any record.
		http.NotFound(w, r)
		return
	}
	if n <= f.Storm {
		s.tooMany(w, time.Duration(max(f.RetryAfter, 1))*time.Second)
		return
	}
	if s.limiter != nil {
		res := s.limiter.Reserve()
		if d := res.Delay(); d > 0 {
			res.Cancel()
			s.tooMany(w, d)
			return
		}
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || r.Header.Get("Accept") != "application/json" {
		answer(w, http.StatusBadRequest, "Content-Type and Accept must be application/json", nil)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		answer(w, http.StatusBadRequest, "unreadable body", nil)
		return
	}
	if msg := s.authenticate(r.Header, body); msg != "" {
		answer(w, http.StatusUnauthorized, msg, nil)
		return
	}
	key, records, msg := s.lookupKey(r.URL.Path, body)
	if msg != "" {
		answer(w, http.StatusBadRequest, msg, nil)
		return
	}
	s.mu.Lock()
	s.hits[key]++
	hit := s.hits[key]
	s.mu.Unlock()
	if f.fault(w, r, r.URL.Path, key, hit) {
		return
	}
	raw, ok := records[key]
	if !ok {
		answer(w, http.StatusNotFound, "record not found", nil)
		return
	}
	answer(w, http.StatusOK, "status fetched", raw)
}

// authenticate checks the key, the timestamp window and the signature over
// the canonical JSON of the body + timestamp; it returns why it refuses.
func (s *Server) authenticate(h http.Header, body []byte) string {
	if subtle.ConstantTimeCompare([]byte(h.Get("X-API-KEY")), []byte(s.opts.APIKey)) != 1 {
		return "invalid API key"
	}
	ts := h.Get("X-TIMESTAMP")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "invalid timestamp"
	}
	if d := s.opts.Now().Sub(time.Unix(sec, 0)); d > s.opts.Window || d < -s.opts.Window {
		return "timestamp expired"
	}
	canon, err := kwikpaisa.CanonicalJSON(body)
	if err != nil || !kwikpaisa.Verify(s.opts.SecretKey, canon, ts, h.Get("X-SIGNATURE")) {
		return "invalid signature"
	}
	return ""
}

// lookupKey reads the key a request asks for and the records it is looked
// up in.
func (s *Server) lookupKey(path string, body []byte) (string, map[string]json.RawMessage, string) {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&m) != nil {
		return "", nil, "body is not a JSON object"
	}
	if path == kwikpaisa.OrderStatusPath {
		k := text(m["order_id"])
		if k == "" {
			return "", nil, "order_id is required"
		}
		return k, s.recs.Orders, ""
	}
	k := text(m["payout_order_id"])
	switch {
	case k == "":
		return "", nil, "payout_order_id is required"
	case text(m["debit_account_type"]) != "kwikx_wallet":
		return "", nil, "debit_account_type must be kwikx_wallet"
	case text(m["kwikx_wallet_id"]) == "" || (s.opts.WalletID != "" && text(m["kwikx_wallet_id"]) != s.opts.WalletID):
		return "", nil, "unknown kwikx_wallet_id"
	}
	return k, s.recs.Payouts, ""
}

func (s *Server) tooMany(w http.ResponseWriter, d time.Duration) {
	secs := int((d + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	answer(w, http.StatusTooManyRequests, "rate limit exceeded", nil)
}

// answer writes the v3 envelope.
func answer(w http.ResponseWriter, code int, message string, data json.RawMessage) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	var b bytes.Buffer
	msg, _ := json.Marshal(message)
	fmt.Fprintf(&b, `{"code":%d,"message":%s,"status":%t`, code, msg, code == http.StatusOK)
	if data != nil {
		b.WriteString(`,"return_data":`)
		b.Write(data)
	}
	b.WriteString("}\n")
	_, _ = w.Write(b.Bytes())
}

// wait waits d or until ctx is done; it reports whether d passed.
func wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
