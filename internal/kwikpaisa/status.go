package kwikpaisa

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/kwikpaisa/recon/internal/recon"
)

// Errors a status call ends with, wrapped in an *Error.
var (
	// ErrNotFound: the gateway answered 404 with its own JSON answer
	// (status false and a code): it has no such record.
	ErrNotFound = errors.New("not found at the gateway")
	// ErrAuth: the gateway refused the request twice, each time with a
	// fresh timestamp: a wrong key or secret, or a clock far off.
	ErrAuth = errors.New("the gateway refused the credentials (wrong API key or secret key, or a clock more than a few minutes off)")
	// ErrConflict: the gateway kept answering 409 duplicate request.
	ErrConflict = errors.New("the gateway kept answering 409 duplicate request")
	// ErrUnavailable: no usable answer after every attempt (5xx,
	// timeouts, dropped connections, malformed bodies, 429s).
	ErrUnavailable = errors.New("no usable answer from the gateway after every retry")
	// ErrBadRecord: the gateway answered with a record recon cannot read.
	ErrBadRecord = errors.New("the gateway's record cannot be read")
	// ErrRedirect: the answer was a redirect. The API does not redirect,
	// and following one would send the key to another host.
	ErrRedirect = errors.New("the gateway answered with a redirect, which recon does not follow (check api.base_url)")
	// ErrNoWallet: a payout status call needs a wallet id and none is
	// configured.
	ErrNoWallet = errors.New("no kwikx wallet id configured (api.wallet_id): payout status calls need one")
)

// Error is how a status call failed.
type Error struct {
	Call     string // "order status" or "payout status"
	Key      string
	Attempts int   // HTTP requests sent
	Err      error // one of the Err… values above
	Last     string
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%s %s: %v", e.Call, e.Key, e.Err)
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" (%d attempts)", e.Attempts)
	}
	if e.Last != "" {
		msg += "; last: " + e.Last
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Trace counts what one status call did.
type Trace struct {
	Requests    int // HTTP requests sent
	Retries     int // requests after the first
	RateLimited int // 429 answers
}

// Add adds u to t.
func (t *Trace) Add(u Trace) {
	t.Requests += u.Requests
	t.Retries += u.Retries
	t.RateLimited += u.RateLimited
}

// Status asks the gateway for the record of one key: an order for
// EntityPayin, a payout for EntityPayout.
func (c *Client) Status(ctx context.Context, entity recon.Entity, key string) (*recon.GatewayRecord, Trace, error) {
	if entity == recon.EntityPayout {
		return c.PayoutStatus(ctx, key)
	}
	return c.OrderStatus(ctx, key)
}

// OrderStatus calls POST /api/v3/pg/order/status for an order id.
func (c *Client) OrderStatus(ctx context.Context, orderID string) (*recon.GatewayRecord, Trace, error) {
	body, _ := json.Marshal(map[string]string{"order_id": orderID})
	return c.call(ctx, "order status", OrderStatusPath, recon.EntityPayin, orderID, body)
}

// PayoutStatus calls POST /api/v3/banking/payment/status for a payout
// order id, from the configured wallet.
func (c *Client) PayoutStatus(ctx context.Context, payoutID string) (*recon.GatewayRecord, Trace, error) {
	if c.cfg.WalletID == "" {
		return nil, Trace{}, &Error{Call: "payout status", Key: payoutID, Err: ErrNoWallet}
	}
	body, _ := json.Marshal(map[string]string{
		"kwikx_wallet_id": c.cfg.WalletID, "debit_account_type": "kwikx_wallet", "payout_order_id": payoutID,
	})
	return c.call(ctx, "payout status", PayoutStatusPath, recon.EntityPayout, payoutID, body)
}

// outcome is how one attempt went.
type outcome int

const (
	gotRecord   outcome = iota
	notFound            // 404 with KwikPaisa's JSON answer
	authFailed          // 401
	redirected          // 3xx: never followed
	rateLimited         // 429
	transient           // 5xx, 408, 409, timeout, reset, malformed body: retry
	permanent           // anything else: do not retry
)

type attemptResult struct {
	outcome    outcome
	record     *recon.GatewayRecord
	retryAfter time.Duration // 429 only; 0 when the gateway gave none
	conflict   bool          // a 409
	err        error
}

// call runs one status call with its retries.
func (c *Client) call(ctx context.Context, name, path string, entity recon.Entity, key string, body []byte) (*recon.GatewayRecord, Trace, error) {
	canon, err := CanonicalJSON(body)
	if err != nil {
		return nil, Trace{}, err
	}
	var tr Trace
	failures, authRetried := 0, false
	fail := func(kind error, last error) (*recon.GatewayRecord, Trace, error) {
		e := &Error{Call: name, Key: key, Attempts: tr.Requests, Err: kind}
		if last != nil {
			e.Last = last.Error()
		}
		return nil, tr, e
	}
	for {
		if tr.Requests > 0 {
			tr.Retries++
		}
		r := c.attempt(ctx, path, canon, entity, key, &tr)
		if err := ctx.Err(); err != nil {
			return nil, tr, err
		}
		var wait time.Duration
		switch r.outcome {
		case gotRecord:
			return r.record, tr, nil
		case notFound:
			return fail(ErrNotFound, nil)
		case redirected:
			return fail(ErrRedirect, r.err)
		case permanent:
			return fail(ErrBadRecord, r.err)
		case authFailed:
			if authRetried {
				return fail(ErrAuth, r.err)
			}
			authRetried = true
			continue // at once, with a fresh timestamp
		case rateLimited:
			tr.RateLimited++
			if tr.RateLimited > c.cfg.MaxRateLimited {
				return fail(ErrUnavailable, r.err)
			}
			wait = r.retryAfter
			if wait == 0 {
				wait = c.backoff(tr.RateLimited)
			}
		case transient:
			failures++
			if failures >= c.cfg.MaxAttempts {
				if r.conflict {
					return fail(ErrConflict, r.err)
				}
				return fail(ErrUnavailable, r.err)
			}
			wait = c.backoff(failures)
		}
		if err := c.cfg.Sleep(ctx, wait); err != nil {
			return nil, tr, err
		}
	}
}

// backoff returns the wait before retry n (1-based): full jitter over an
// exponentially growing ceiling.
func (c *Client) backoff(n int) time.Duration {
	ceiling := c.cfg.MaxBackoff
	if n < 32 {
		if d := c.cfg.BaseBackoff << (n - 1); d > 0 && d < ceiling {
			ceiling = d
		}
	}
	return time.Duration(c.cfg.Jitter() * float64(ceiling))
}

// maxBody bounds a response body.
const maxBody = 1 << 20

// attempt sends one signed request, through the rate limiter and within
// the concurrency bound.
func (c *Client) attempt(ctx context.Context, path string, canon []byte, entity recon.Entity, key string, tr *Trace) attemptResult {
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return attemptResult{outcome: transient, err: ctx.Err()}
	}
	defer func() { <-c.slots }()
	if err := c.limiter.Wait(ctx); err != nil {
		return attemptResult{outcome: transient, err: err}
	}
	actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.base.String()+path, bytes.NewReader(canon))
	if err != nil {
		return attemptResult{outcome: permanent, err: err}
	}
	ts := strconv.FormatInt(c.cfg.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-API-KEY", c.cfg.APIKey)
	req.Header.Set("X-TIMESTAMP", ts)
	req.Header.Set("X-SIGNATURE", Sign(c.cfg.SecretKey, canon, ts))
	tr.Requests++
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return attemptResult{outcome: transient, err: errors.New(describeTransport(err))}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return attemptResult{outcome: transient, err: errors.New("reading the answer: " + describeTransport(err))}
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		// CheckRedirect handed the redirect back unfollowed: the request
		// went to the configured host only.
		to := "no Location"
		if loc := resp.Header.Get("Location"); loc != "" {
			to = RedactURL(loc)
		}
		return attemptResult{outcome: redirected, err: fmt.Errorf("HTTP %d redirect to %s", resp.StatusCode, to)}
	}
	return c.judge(resp.StatusCode, resp.Header.Get("Retry-After"), body, entity, key)
}

// describeTransport says what went wrong on the wire, without the URL.
func describeTransport(err error) string {
	var ue interface{ Timeout() bool }
	if errors.As(err, &ue) && ue.Timeout() {
		return "timed out"
	}
	var urlErr interface{ Unwrap() error }
	if errors.As(err, &urlErr) {
		if inner := urlErr.Unwrap(); inner != nil {
			return inner.Error()
		}
	}
	return err.Error()
}

// envelope is every answer of the v3 API. It is decoded case-sensitively,
// from a body CheckStrict passed, so that "return_data" means one value.
type envelope struct {
	Status     *bool          `json:"status"`
	Code       jsontext.Value `json:"code"`
	Message    string         `json:"message"`
	ReturnData jsontext.Value `json:"return_data"`
}

// readEnvelope decodes an answer; it fails on a body that is not strict
// JSON (a key repeated, as a proxy or an attacker could add, would be
// read one way here and another by the record's reader).
func readEnvelope(body []byte) (envelope, error) {
	var env envelope
	if err := CheckStrict(body); err != nil {
		return env, err
	}
	err := jsonv2.Unmarshal(body, &env)
	return env, err
}

// code returns the envelope's code, ok false when it has none or it is
// not an integer.
func (e *envelope) code() (int, bool) {
	if e.Code.Kind() != '0' {
		return 0, false
	}
	n, err := strconv.Atoi(string(e.Code))
	return n, err == nil
}

// gatewayNotFound reports whether an answer is KwikPaisa's own not-found:
// its JSON envelope with status false and a code. A 404 of any other body
// (a proxy's HTML page, a wrong base path) is no answer about the record.
func (e *envelope) gatewayNotFound() bool {
	_, hasCode := e.code()
	return e.Status != nil && !*e.Status && hasCode
}

// judge classifies one answer.
func (c *Client) judge(code int, retryAfter string, body []byte, entity recon.Entity, key string) attemptResult {
	env, decErr := readEnvelope(body)
	if code == http.StatusOK && decErr == nil && env.Status != nil && !*env.Status {
		// An error told in the body of a 200: its code decides.
		if n, ok := env.code(); ok && n != http.StatusOK {
			code = n
		}
	}
	last := fmt.Errorf("HTTP %d", code)
	if env.Message != "" {
		last = fmt.Errorf("HTTP %d %s", code, clip(env.Message, 120))
	}
	switch {
	case code == http.StatusOK:
		if decErr != nil || len(env.ReturnData) == 0 || env.ReturnData.Kind() == 'n' {
			msg := "malformed answer body"
			if errors.Is(decErr, ErrNotStrict) {
				msg += " (" + decErr.Error() + ")"
			}
			return attemptResult{outcome: transient, err: errors.New(msg)}
		}
		g, err := c.cfg.Parse(env.ReturnData)
		if err != nil {
			return attemptResult{outcome: permanent, err: err}
		}
		if g.Entity != entity || g.Key != key {
			return attemptResult{outcome: permanent, err: fmt.Errorf("answered with the record of %s %s", g.Entity, g.Key)}
		}
		if g.Detail == nil {
			g.Detail = &recon.GatewayDetail{}
		}
		g.Detail.Raw = json.RawMessage(env.ReturnData) // stored as received, so a pull replays
		return attemptResult{outcome: gotRecord, record: g}
	case code == http.StatusNotFound && decErr == nil && env.gatewayNotFound():
		return attemptResult{outcome: notFound, err: last}
	case code == http.StatusNotFound:
		// Retried, then a failure: never a not-found, never kept as fresh.
		return attemptResult{outcome: transient, err: fmt.Errorf("HTTP 404 without KwikPaisa's JSON answer (status false and a code): a proxy's page or a wrong base path, not an answer about %s", key)}
	case code == http.StatusUnauthorized:
		return attemptResult{outcome: authFailed, err: last}
	case code == http.StatusTooManyRequests:
		return attemptResult{outcome: rateLimited, retryAfter: c.parseRetryAfter(retryAfter), err: last}
	case code == http.StatusConflict:
		return attemptResult{outcome: transient, conflict: true, err: last}
	case code == http.StatusRequestTimeout || code >= 500:
		return attemptResult{outcome: transient, err: last}
	default:
		return attemptResult{outcome: permanent, err: last}
	}
}

// parseRetryAfter reads Retry-After (seconds or an HTTP date), capped at
// MaxRetryAfter; 0 when absent or unreadable.
func (c *Client) parseRetryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(c.cfg.Now())
	}
	if d < 0 {
		d = 0
	}
	return min(d, c.cfg.MaxRetryAfter)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
