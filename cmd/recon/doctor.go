package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/kwikpaisa/recon/internal/config"
	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/kwikpaisa"
	"github.com/kwikpaisa/recon/internal/ledger/stores"
	"github.com/kwikpaisa/recon/internal/pull"
)

const doctorAbout = `Checks this installation against KwikPaisa's production checklist and
prints each item with ✓ or ✗ and, for a ✗, how to fix it: the production
API key (pk_live_) and secret present, no sandbox key against the live URL,
an https base URL, secrets from the environment or owner-only files (never
the configuration), the webhook secret, a signed status call the gateway
accepts, the clock within the gateway's timestamp window (by its Date
header), a schedule, and writable output and database paths.

The schedule is checked as it is kept (-scheduler): daemon needs
schedule.dir and valid *.cron files in it; cron and systemd are taken at
their word (doctor names the crontab line or timer unit it finds, if any);
auto (the default) checks the daemon's when schedule.dir is set, else
looks for an installed recon.timer or a crontab line running 'recon run'.

Exit status: 0 when every required item passes, 1 otherwise.`

// maxClockSkew is how far the gateway lets X-TIMESTAMP stray from its
// clock; beyond it every signed request is refused with 401.
const maxClockSkew = 300 * time.Second

// liveHost is KwikPaisa's production API host.
const liveHost = "api.kwikpaisa.com"

// check is one item of the checklist.
type check struct {
	name     string
	required bool
	ok       bool
	detail   string // what was found (never a secret)
	fix      string // how to make it pass
}

// probeResult is what one signed status call got back.
type probeResult struct {
	Code int       // the last HTTP status (0 when no answer came)
	Date time.Time // the gateway's Date header (zero when absent)
}

// statusProbe performs one signed status call against the gateway. An
// error means no call could be judged (refused before sending, no answer).
type statusProbe func(ctx context.Context, baseURL, apiKey, secretKey string) (probeResult, error)

func doctorCmd(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "doctor", "[--config FILE]", doctorAbout)
	cfgPath := fs.String("config", "recon.toml", "configuration `file` (TOML)")
	scheduler := fs.String("scheduler", "auto", "how the nightly run is scheduled: `daemon` (recon schedule), cron, systemd, or auto")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch *scheduler {
	case "auto", "daemon", "cron", "systemd":
	default:
		return &usageError{message: fmt.Sprintf("unknown scheduler %q", *scheduler), hint: "--scheduler takes daemon, cron, systemd or auto"}
	}
	probe := e.probe
	if probe == nil {
		probe = clientProbe(http.DefaultTransport, e.now)
	}
	checks := doctor(ctx, *cfgPath, *scheduler, e.now, probe)
	failed, required := 0, 0
	fmt.Fprintf(e.stdout, "recon doctor: go-live checklist for %s\n", *cfgPath)
	for _, c := range checks {
		mark := "✓"
		switch {
		case !c.ok && c.required:
			mark = "✗"
			failed++
			required++
		case !c.ok:
			mark = "!" // worth knowing, not a blocker
			failed++
		}
		line := fmt.Sprintf("  %s %s", mark, c.name)
		if c.detail != "" {
			line += ": " + c.detail
		}
		fmt.Fprintln(e.stdout, line)
		if !c.ok && c.fix != "" {
			fmt.Fprintf(e.stdout, "      fix: %s\n", c.fix)
		}
	}
	fmt.Fprintf(e.stdout, "%d checks: %d passed, %d failed (%d required).\n", len(checks), len(checks)-failed, failed, required)
	if required > 0 {
		return &exitCodeError{code: exitError, message: fmt.Sprintf("not ready for production: %d required check(s) failed", required)}
	}
	return nil
}

// doctor runs the checklist.
func doctor(ctx context.Context, cfgPath, scheduler string, now func() time.Time, probe statusProbe) []check {
	var out []check
	add := func(c check) { c.required = true; out = append(out, c) }

	// The configuration itself, secrets in it included.
	file, problems, err := config.Check(cfgPath)
	c := check{name: "configuration valid", ok: err == nil && len(problems) == 0}
	switch {
	case err != nil:
		c.detail, c.fix = oneLine(err.Error()), "write a configuration file (see fixtures/recon.toml) and pass it with --config"
	case len(problems) > 0:
		c.detail = fmt.Sprintf("%d problem(s), first %s", len(problems), problems[0])
		c.fix = "run recon config check --config " + cfgPath + " and fix each line it names"
	}
	add(c)
	if file == nil {
		file = config.Default()
	}

	// Secrets: present, of the right kind, from the environment or an
	// owner-only file.
	apiKey, keyErr := config.Secret(config.EnvAPIKey)
	secretKey, secretErr := config.Secret(config.EnvSecretKey)
	hooks, hookErr := config.Secrets(config.EnvWebhookSecret)
	base, _ := url.Parse(file.API.BaseURL)
	live := base != nil && base.Hostname() == liveHost
	c = check{name: "live API URL", ok: live, detail: file.API.BaseURL}
	if !live {
		c.detail = file.API.BaseURL + " is not the live API (fine for a rehearsal against the sandbox)"
		c.fix = "for production set api.base_url = \"" + config.DefaultBaseURL + "\""
	}
	out = append(out, c) // not required: doctor also rehearses against the sandbox

	// The key must suit the target: pk_live_ for the live API, pk_test_
	// for the sandbox or a local server (the client refuses the others).
	want := "pk_test_"
	if live {
		want = "pk_live_"
	}
	c = check{name: "production API key (pk_live_) present", ok: strings.HasPrefix(apiKey, want)}
	if !live {
		c.name = "API key present (pk_test_ for the sandbox)"
	}
	switch {
	case keyErr != nil:
		c.detail, c.fix = "unreadable", "see the check on where secrets come from"
	case apiKey == "":
		c.detail, c.fix = "not set", "set "+config.EnvAPIKey+" (or "+config.EnvAPIKey+"_FILE) to the "+want+" key from the KwikPaisa dashboard"
	case strings.HasPrefix(apiKey, "pk_test_") && live:
		c.detail, c.fix = "a sandbox key (pk_test_)", "set "+config.EnvAPIKey+" to the production pk_live_ key"
	case strings.HasPrefix(apiKey, "pk_live_") && !live:
		c.detail, c.fix = "a production key (pk_live_) against a test server", "use the pk_test_ key with the sandbox, or set api.base_url to the live API"
	case !c.ok:
		c.detail, c.fix = "not a KwikPaisa key", "set "+config.EnvAPIKey+" to the "+want+" key from the KwikPaisa dashboard"
	default:
		c.detail = want + "… key"
	}
	add(c)
	c = check{name: "API secret key present", ok: secretKey != "" && secretErr == nil}
	if !c.ok {
		c.detail, c.fix = "not set", "set "+config.EnvSecretKey+" (or "+config.EnvSecretKey+"_FILE) to the secret that goes with the API key"
	}
	add(c)

	c = check{name: "no sandbox credentials against the live URL", ok: !(live && strings.HasPrefix(apiKey, "pk_test_"))}
	if !c.ok {
		c.detail, c.fix = "a pk_test_ key with "+file.API.BaseURL, "use the pk_live_ key and its secret with the live URL"
	}
	add(c)
	// Plain http is allowed on loopback only (a local sandbox): say which
	// of the two passed rather than calling an http URL https.
	c = check{name: "API URL over https (plain http on loopback only)", detail: file.API.BaseURL}
	if err := config.CheckBaseURL(file.API.BaseURL); err != nil {
		c.detail, c.fix = oneLine(err.Error()), "set api.base_url to "+config.DefaultBaseURL
	} else {
		c.ok = true
		if u, _ := url.Parse(file.API.BaseURL); u != nil && u.Scheme == "http" {
			c.detail = file.API.BaseURL + " is plain http, allowed because it is loopback"
		}
	}
	add(c)

	c = check{name: "secrets from the environment or an owner-only file", ok: true, detail: "none in the configuration"}
	var bad []string
	for _, err := range []error{keyErr, secretErr, hookErr} {
		if err != nil {
			bad = append(bad, oneLine(err.Error()))
		}
	}
	for _, p := range problems {
		if strings.Contains(p.Message, "looks like a secret") {
			bad = append(bad, fmt.Sprintf("%s:%d %s in the configuration", p.File, p.Line, p.Key))
		}
	}
	if len(bad) > 0 {
		c.ok, c.detail = false, strings.Join(bad, "; ")
		c.fix = "keep secrets in the environment or in files only their owner can read (chmod 600), and out of the configuration"
	}
	add(c)
	c = check{name: "webhook secret configured", ok: len(hooks) > 0}
	if c.ok {
		c.detail = fmt.Sprintf("%d secret(s)", len(hooks))
	} else {
		c.detail, c.fix = "not set", "set "+config.EnvWebhookSecret+" to the webhook secret from the KwikPaisa dashboard (comma-separated during a rotation)"
	}
	add(c)

	// A signed call the gateway accepts, and its clock.
	sig := check{name: "signed status call accepted"}
	skew := check{name: "clock within the gateway's timestamp window"}
	if apiKey == "" || secretKey == "" || config.CheckBaseURL(file.API.BaseURL) != nil {
		sig.detail, sig.fix = "skipped", "fix the credentials and the base URL first"
		skew.detail, skew.fix = "skipped", sig.fix
	} else {
		res, err := probe(ctx, file.API.BaseURL, apiKey, secretKey)
		switch {
		case err != nil:
			sig.detail, sig.fix = oneLine(err.Error()), "check the key suits "+file.API.BaseURL+" and that this machine reaches it (DNS, proxy, firewall)"
		case res.Code == http.StatusUnauthorized:
			sig.detail = "refused with 401"
			sig.fix = "the gateway rejected the key, the signature or the timestamp: check that " + config.EnvSecretKey + " is the secret of this API key, and the clock"
		case res.Code == http.StatusOK || res.Code == http.StatusNotFound:
			sig.ok, sig.detail = true, fmt.Sprintf("HTTP %d from %s", res.Code, file.API.BaseURL)
		default:
			sig.detail, sig.fix = fmt.Sprintf("HTTP %d", res.Code), "try again later; if it persists, ask KwikPaisa support"
		}
		if err != nil && !res.Date.IsZero() {
			err = nil // an answer came: its clock can still be judged
		}
		switch {
		case err != nil:
			skew.detail, skew.fix = "no answer from the gateway", sig.fix
		case res.Date.IsZero():
			skew.detail, skew.fix = "the gateway sent no Date header", "compare the clock with an NTP server: timedatectl status"
		default:
			d := now().Sub(res.Date)
			skew.detail = fmt.Sprintf("this clock is %s %s the gateway's (window ±%s)", abs(d).Round(time.Second), aheadBehind(d), maxClockSkew)
			skew.ok = abs(d) <= maxClockSkew
			if !skew.ok {
				skew.fix = "synchronise the clock (systemd-timesyncd or chrony): timedatectl set-ntp true"
			}
		}
	}
	add(sig)
	add(skew)

	// A schedule.
	add(scheduleCheck(file, scheduler, installedSchedules(ctx)))

	// Writable paths, and a database server that answers.
	dirs := []struct{ name, dir string }{{"output folder writable", firstOf(file.Out, "reports")}}
	if db := firstOf(file.DB, "recon.db"); stores.IsURL(db) {
		c = check{name: "database reachable", detail: stores.Printable(db)}
		if s, err := stores.Open(ctx, db, stores.Options{}); err != nil {
			c.detail, c.fix = oneLine(err.Error()), "start the server, or correct db in the configuration; the password goes in PGPASSWORD"
		} else {
			s.Close()
			c.ok = true
		}
		add(c)
	} else {
		dirs = append(dirs, struct{ name, dir string }{"database folder writable", filepath.Dir(db)})
	}
	for _, p := range dirs {
		c = check{name: p.name, detail: p.dir}
		if err := writable(p.dir); err != nil {
			c.detail, c.fix = oneLine(err.Error()), "create "+p.dir+" and let the user that runs recon write to it"
		} else {
			c.ok = true
		}
		add(c)
	}
	return out
}

// writable checks that dir exists or can be made (owner-only, as a run
// makes it: it holds financial data), and takes a file.
func writable(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".recon-doctor-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

func abs(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func aheadBehind(d time.Duration) string {
	if d < 0 {
		return "behind"
	}
	return "ahead of"
}

// clientProbe asks the gateway, through recon's API client, the status
// of an order no one has: 404 (or 200) means the key and the signature
// were accepted, 401 that they were not. It only reads. The transport
// notes the last answer's status and Date header.
func clientProbe(transport http.RoundTripper, now func() time.Time) statusProbe {
	return func(ctx context.Context, baseURL, apiKey, secretKey string) (probeResult, error) {
		rec := &answerRecorder{next: transport}
		c, err := kwikpaisa.New(kwikpaisa.Config{
			BaseURL: baseURL, APIKey: apiKey, SecretKey: secretKey, Now: now,
			HTTPClient: &http.Client{Transport: rec}, MaxAttempts: 2, Timeout: 15 * time.Second,
			Parse: pull.Parser(ingest.DefaultStatuses()),
		})
		if err != nil {
			return probeResult{}, err
		}
		_, _, err = c.OrderStatus(ctx, "recon-doctor-probe")
		res := rec.result()
		switch {
		case err == nil, errors.Is(err, kwikpaisa.ErrNotFound), errors.Is(err, kwikpaisa.ErrAuth):
			return res, nil
		case res.Code != 0:
			return res, nil // another answer: the status code says it
		}
		return res, err
	}
}

// answerRecorder is a RoundTripper that keeps the last response's status
// and Date header.
type answerRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	last probeResult
}

func (a *answerRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := a.next.RoundTrip(r)
	if err == nil {
		res := probeResult{Code: resp.StatusCode}
		if d, perr := http.ParseTime(resp.Header.Get("Date")); perr == nil {
			res.Date = d
		}
		a.mu.Lock()
		a.last = res
		a.mu.Unlock()
	}
	return resp, err
}

func (a *answerRecorder) result() probeResult {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.last
}
