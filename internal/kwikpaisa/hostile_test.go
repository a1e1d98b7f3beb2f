package kwikpaisa_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/kwikpaisa/recon/internal/kwikpaisa"
	"github.com/kwikpaisa/recon/internal/sandbox"
)

// startProxy serves on loopback in front of the sandbox: answer, given the
// order id a request asks for, may answer itself (true); otherwise the
// request goes on to the sandbox.
func startProxy(t *testing.T, sb *sandbox.Server, answer func(w http.ResponseWriter, r *http.Request, key string) bool) string {
	t.Helper()
	target, err := url.Parse(sb.URL)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var req struct {
			OrderID string `json:"order_id"`
		}
		_ = json.Unmarshal(body, &req)
		if !answer(w, r, req.OrderID) {
			rp.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestOnlyGatewayJSON404IsNotFound: a proxy in front of the sandbox answers
// 404 for some keys in the ways a proxy or a wrong path does. Only the
// gateway's own JSON 404 (status false and a code) means the record is
// absent; every other 404 is a failed call, retried, then
// ErrUnavailable, never ErrNotFound.
func TestOnlyGatewayJSON404IsNotFound(t *testing.T) {
	sb := mustSandbox(t, sandbox.Faults{})
	pages := map[string]struct{ contentType, body string }{
		"HTML":                 {"text/html", "<html><body><h1>404 Not Found</h1><hr>nginx</body></html>"},
		"TEXT":                 {"text/plain", "404 page not found\n"},
		"EMPTY":                {"", ""},
		"JSON-NO-STATUS":       {"application/json", `{"error":"not found","code":404}`},
		"JSON-STATUS-TRUE":     {"application/json", `{"status":true,"code":404,"message":"not found"}`},
		"JSON-NO-CODE":         {"application/json", `{"status":false,"message":"not found"}`},
		"JSON-STATUS-REPEATED": {"application/json", `{"status":false,"code":404,"status":true}`},
		"JSON-STATUS-STRING":   {"application/json", `{"status":"false","code":404}`},
	}
	proxy := startProxy(t, sb, func(w http.ResponseWriter, r *http.Request, key string) bool {
		p, ok := pages[key]
		if !ok {
			return false
		}
		if p.contentType != "" {
			w.Header().Set("Content-Type", p.contentType)
		}
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, p.body)
		return true
	})
	c, _ := mustClient(t, proxy, nil)
	for key := range pages {
		t.Run(key, func(t *testing.T) {
			_, tr, err := c.OrderStatus(context.Background(), key)
			if !errors.Is(err, kwikpaisa.ErrUnavailable) || errors.Is(err, kwikpaisa.ErrNotFound) {
				t.Fatalf("err = %v, want ErrUnavailable: a 404 without the gateway's JSON answer is no not-found", err)
			}
			if tr.Requests != 4 {
				t.Errorf("%d requests, want 4 (the call is retried)", tr.Requests)
			}
		})
	}
	t.Run("the gateway's own 404", func(t *testing.T) {
		if _, _, err := c.OrderStatus(context.Background(), "ORD-UNKNOWN"); !errors.Is(err, kwikpaisa.ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
	})
	t.Run("wrong base path", func(t *testing.T) {
		wrong, _ := mustClient(t, sb.URL+"/v2", nil)
		for _, key := range []string{"ORD-1", "ORD-UNKNOWN"} {
			if _, _, err := wrong.OrderStatus(context.Background(), key); !errors.Is(err, kwikpaisa.ErrUnavailable) {
				t.Errorf("%s: err = %v, want ErrUnavailable", key, err)
			}
		}
	})
}

// TestAnswersThatAreNotStrictJSON: an answer with a key repeated (the
// envelope's or the record's), or a field spelled in another case, could
// be read one way by the envelope's decoder and another by the record's
// reader or a replay of the stored answer: it is a failed call.
func TestAnswersThatAreNotStrictJSON(t *testing.T) {
	sb := mustSandbox(t, sandbox.Faults{})
	record := string(testRecords.Orders["ORD-1"])
	failed := strings.Replace(record, `"order_status":"PAID"`, `"order_status":"FAILED"`, 1)
	answers := map[string]string{
		"return_data repeated": `{"status":true,"code":200,"message":"ok","return_data":` + failed + `,"return_data":` + record + `}`,
		"status repeated in the record": `{"status":true,"code":200,"message":"ok","return_data":` +
			strings.Replace(record, `"order_status":"PAID"`, `"order_status":"FAILED","order_status":"PAID"`, 1) + `}`,
		"return_data in another case": `{"status":true,"code":200,"message":"ok","Return_Data":` + record + `}`,
		"lone surrogate":              `{"status":true,"code":200,"message":"\ud800","return_data":` + record + `}`,
	}
	proxy := startProxy(t, sb, func(w http.ResponseWriter, r *http.Request, key string) bool {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, answers[r.URL.Query().Get("case")])
		return true
	})
	for name := range answers {
		t.Run(name, func(t *testing.T) {
			// The case rides in the path's query only for the test's proxy;
			// the client itself refuses a query in its base URL.
			c, _ := mustClient(t, proxy, func(cfg *kwikpaisa.Config) {
				cfg.HTTPClient = &http.Client{Transport: withQuery{"case", name}}
			})
			g, _, err := c.OrderStatus(context.Background(), "ORD-1")
			if err == nil {
				t.Fatalf("record %+v accepted (status %s); want a failed call", g, g.Status)
			}
			if errors.Is(err, kwikpaisa.ErrNotFound) {
				t.Errorf("err = %v, want a failed call, not a not-found", err)
			}
		})
	}
}

// withQuery adds one query parameter to every request.
type withQuery struct{ name, value string }

func (q withQuery) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	v := r.URL.Query()
	v.Set(q.name, q.value)
	r.URL.RawQuery = v.Encode()
	return http.DefaultTransport.RoundTrip(r)
}

// TestRedirectNotFollowed: a server on loopback answers every status call
// with a redirect to another loopback port, whose handler records what
// reaches it. Nothing reaches it (no request, so no X-API-KEY or
// X-SIGNATURE), the call fails saying why, and the Location's query is not
// repeated. A client the caller passes in is held to the same rule.
func TestRedirectNotFollowed(t *testing.T) {
	var mu sync.Mutex
	var received []http.Header
	thief := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		received = append(received, r.Header.Clone())
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":true,"code":200,"return_data":`+string(testRecords.Orders["ORD-1"])+`}`)
	}))
	t.Cleanup(thief.Close)

	for _, code := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, thief.URL+r.URL.Path+"?token=stolen_SECRET_42", code)
		}))
		t.Cleanup(redirector.Close)
		for _, own := range []bool{false, true} {
			name := http.StatusText(code)
			if own {
				name += " with the caller's client"
			}
			t.Run(name, func(t *testing.T) {
				caller := &http.Client{}
				c, _ := mustClient(t, redirector.URL, func(cfg *kwikpaisa.Config) {
					if own {
						cfg.HTTPClient = caller
					}
				})
				_, tr, err := c.OrderStatus(context.Background(), "ORD-1")
				if !errors.Is(err, kwikpaisa.ErrRedirect) {
					t.Fatalf("err = %v, want ErrRedirect", err)
				}
				if tr.Requests != 1 {
					t.Errorf("%d requests, want 1: a redirect is not retried", tr.Requests)
				}
				if msg := err.Error(); strings.Contains(msg, "stolen_SECRET_42") || !strings.Contains(msg, fmt.Sprintf("HTTP %d redirect to %s/api/", code, thief.URL)) {
					t.Errorf("error %q: want it to say redirect and not repeat the Location's query", msg)
				}
				if caller.CheckRedirect != nil {
					t.Error("the caller's client was changed")
				}
			})
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(received) != 0 {
		t.Errorf("the redirect target received %d requests (first with X-API-KEY %q, X-SIGNATURE %q); want none",
			len(received), received[0].Get("X-API-KEY"), received[0].Get("X-SIGNATURE"))
	}
}
