package kwikpaisa

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/kwikpaisa/recon/internal/recon"
)

// The base URLs KwikPaisa publishes.
const (
	LiveURL    = "https://api.kwikpaisa.com"
	SandboxURL = "https://sandbox.kwikpaisa.com"
)

// The two status calls recon makes.
const (
	OrderStatusPath  = "/api/v3/pg/order/status"
	PayoutStatusPath = "/api/v3/banking/payment/status"
)

// Config is a client's configuration. Zero fields take the defaults that
// New documents.
type Config struct {
	BaseURL   string // default LiveURL
	APIKey    string // pk_live_… or pk_test_…
	SecretKey string
	WalletID  string // kwikx_wallet_id, needed by payout status calls

	// Rate is the most requests a second (default 20); Burst the most sent
	// at once after a quiet spell (default 1). Concurrency bounds the
	// requests in flight (default 4).
	Rate        float64
	Burst       int
	Concurrency int

	// MaxAttempts bounds the attempts of one call that fail with a 5xx, a
	// timeout, a reset connection, a malformed body or a 409 (default 5).
	// MaxRateLimited bounds the 429 answers one call accepts (default 20).
	MaxAttempts    int
	MaxRateLimited int
	// BaseBackoff and MaxBackoff shape the exponential backoff with full
	// jitter between attempts (defaults 250ms and 30s). MaxRetryAfter caps
	// a Retry-After the gateway asks for (default 2m).
	BaseBackoff   time.Duration
	MaxBackoff    time.Duration
	MaxRetryAfter time.Duration
	// Timeout bounds one attempt (default 15s).
	Timeout time.Duration

	// HTTPClient sends the requests (default: a client with keep-alives).
	// The client uses a copy of it that follows no redirect.
	HTTPClient *http.Client
	// Now is the clock that stamps X-TIMESTAMP (default time.Now).
	Now func() time.Time
	// Sleep waits between attempts; it returns early with ctx's error.
	// Tests replace it so that they never wait for real seconds.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter returns a number in [0, 1) for the backoff (default
	// math/rand/v2).
	Jitter func() float64
	// Parse reads a return_data object into a record (required; recon
	// passes ingest.ParseGatewayRecord's reader so that a pulled record
	// and a dump line are read by the same code).
	Parse func(returnData []byte) (*recon.GatewayRecord, error)
}

// Client calls KwikPaisa's v3 status API. It is safe for concurrent use.
type Client struct {
	cfg     Config
	base    *url.URL
	limiter *rate.Limiter
	slots   chan struct{}
}

// New validates cfg and returns a client. It refuses a base URL that is
// not https (unless loopback), a test key against the live URL and a live
// key against the sandbox or a loopback server. Its errors never contain a
// key.
func New(cfg Config) (*Client, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = LiveURL
	}
	if cfg.APIKey == "" || cfg.SecretKey == "" {
		return nil, errors.New("kwikpaisa: API key and secret key are both needed")
	}
	if cfg.Parse == nil {
		return nil, errors.New("kwikpaisa: no record parser configured")
	}
	base, err := CheckBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("kwikpaisa: %w", err)
	}
	if err := checkKeyKind(cfg.APIKey, base); err != nil {
		return nil, err
	}
	setDefaults(&cfg)
	return &Client{
		cfg:     cfg,
		base:    base,
		limiter: rate.NewLimiter(rate.Limit(cfg.Rate), cfg.Burst),
		slots:   make(chan struct{}, cfg.Concurrency),
	}, nil
}

func setDefaults(c *Config) {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defd := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if c.Rate <= 0 {
		c.Rate = 20
	}
	def(&c.Burst, 1)
	def(&c.Concurrency, 4)
	def(&c.MaxAttempts, 5)
	def(&c.MaxRateLimited, 20)
	defd(&c.BaseBackoff, 250*time.Millisecond)
	defd(&c.MaxBackoff, 30*time.Second)
	defd(&c.MaxRetryAfter, 2*time.Minute)
	defd(&c.Timeout, 15*time.Second)
	if c.HTTPClient == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = c.Concurrency
		c.HTTPClient = &http.Client{Transport: tr}
	}
	// A redirect is never followed, whoever built the client: Go would send
	// X-API-KEY and X-SIGNATURE on to wherever it points (SPEC §3). A copy,
	// so that the caller's client is left as it was.
	hc := *c.HTTPClient
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.HTTPClient = &hc
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = sleep
	}
	if c.Jitter == nil {
		c.Jitter = rand.Float64
	}
}

// IsLoopback reports whether host names this machine: localhost or a
// loopback address.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkKeyKind refuses a key of the wrong kind for a base URL. Only the
// key's public prefix is ever named.
func checkKeyKind(key string, base *url.URL) error {
	origin := base.Scheme + "://" + base.Host
	live := strings.HasPrefix(key, "pk_live_")
	switch {
	case origin == LiveURL && !live:
		return fmt.Errorf("kwikpaisa: the live API %s needs a pk_live_ key; KWIKPAISA_API_KEY is not one", LiveURL)
	case origin == SandboxURL && live:
		return fmt.Errorf("kwikpaisa: refusing to send a pk_live_ key to the sandbox %s", SandboxURL)
	case IsLoopback(base.Hostname()) && live:
		return fmt.Errorf("kwikpaisa: refusing to send a pk_live_ key to the local server %s", origin)
	}
	return nil
}

// BaseURL returns the URL the client calls.
func (c *Client) BaseURL() string { return c.base.String() }

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
