package kwikpaisa

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrURLSecret is the refusal of a URL that carries user info or a query:
// the place a careless hand writes a key. Its message never repeats the
// URL.
var ErrURLSecret = errors.New("api base URL must not carry credentials or a query: put secrets in KWIKPAISA_* environment variables")

// CheckBaseURL reads an API base URL: https, or plain http on a loopback
// host, with no user info, query or fragment (SPEC §3). Its errors show
// the URL only as RedactURL writes it.
func CheckBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(raw), "/"))
	if err != nil {
		// url.Parse's error quotes the whole text, secret and all.
		return nil, fmt.Errorf("base URL is not a URL such as %s", LiveURL)
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return nil, ErrURLSecret
	}
	if u.Host == "" {
		return nil, fmt.Errorf("base URL is not an absolute URL such as %s", LiveURL)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && IsLoopback(u.Hostname()):
	case u.Scheme == "http":
		return nil, fmt.Errorf("base URL %s is plain http: it must be https (plain http only on loopback)", RedactURL(raw))
	default:
		return nil, fmt.Errorf("base URL %s must be https, such as %s", RedactURL(raw), LiveURL)
	}
	return u, nil
}

// RedactURL writes a URL for a message or a log: scheme, host and path,
// never its user info, query or fragment, where secrets get written. Text
// that is not a URL is not shown at all.
func RedactURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "(not a URL)"
	}
	if u.Host == "" {
		// Without a host, "user:pw@host" parses as a scheme and the rest:
		// none of it can be shown safely.
		return "(not an absolute URL)"
	}
	r := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	return r.String()
}
