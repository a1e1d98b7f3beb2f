package sandbox

import (
	"encoding/binary"
	"errors"
	"hash/fnv"
	"net/http"
	"time"
)

// Faults are the failures a sandbox injects. Which request of a key fails
// is decided by a hash of (Seed, endpoint, key, the key's request number),
// so a seed gives the same faults whatever the order requests arrive in.
type Faults struct {
	// RateLimit answers 429 with Retry-After to requests beyond this many
	// a second (0: no limit), with bursts of Burst.
	RateLimit float64
	Burst     int
	// Storm answers 429 (Retry-After: RetryAfter seconds, default 1) to
	// the first Storm requests the sandbox receives.
	Storm      int
	RetryAfter int
	// Shares of a key's requests that end in a 5xx, hang (until the client
	// gives up, or Hang passes, default 30s), get a broken body, or have
	// their connection closed without an answer. They add up to at most 1.
	// Conflicts is the share answered 409 duplicate request.
	ServerErrors float64
	Timeouts     float64
	Malformed    float64
	Drops        float64
	Conflicts    float64
	Hang         time.Duration
	// FaultyRequests, when above 0, limits the shares to a key's first
	// FaultyRequests requests: later ones are answered.
	FaultyRequests int
	// Latency delays every answer.
	Latency time.Duration
	// Expired is the share of keys whose first request is answered 401
	// "timestamp expired", as when the merchant's clock is skewed or the
	// request aged in a queue; the client's retry with a fresh timestamp
	// is answered.
	Expired float64
	// Down lists keys whose every request gets a 503: they never answer.
	Down map[string]bool
	Seed uint64
}

func (f *Faults) check() error {
	for _, v := range []float64{f.ServerErrors, f.Timeouts, f.Malformed, f.Drops, f.Conflicts, f.Expired} {
		if v < 0 || v > 1 {
			return errors.New("sandbox: a fault share must be between 0 and 1")
		}
	}
	if f.ServerErrors+f.Timeouts+f.Malformed+f.Drops+f.Conflicts > 1 {
		return errors.New("sandbox: the fault shares add up to more than 1")
	}
	if f.RateLimit < 0 || f.Storm < 0 || f.Latency < 0 {
		return errors.New("sandbox: rate limit, storm and latency cannot be negative")
	}
	return nil
}

// draw returns a number in [0, 1) fixed by the seed, the endpoint, the key
// and the key's request number.
func (f *Faults) draw(path, key string, n int) float64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], f.Seed)
	h.Write(b[:])
	h.Write([]byte(path))
	h.Write([]byte{0})
	h.Write([]byte(key))
	binary.LittleEndian.PutUint64(b[:], uint64(n))
	h.Write(b[:])
	// fnv's low bits mix poorly; fold the high half in.
	v := h.Sum64()
	v ^= v >> 29
	v *= 0xbf58476d1ce4e5b9
	v ^= v >> 32
	return float64(v>>11) / (1 << 53)
}

// fault injects the fault, if any, that request n of key draws, and
// reports whether it answered.
func (f *Faults) fault(w http.ResponseWriter, r *http.Request, path, key string, n int) bool {
	if f.Down[key] {
		answer(w, http.StatusServiceUnavailable, "service unavailable", nil)
		return true
	}
	if n == 1 && f.Expired > 0 && f.draw(path+"#expired", key, n) < f.Expired {
		answer(w, http.StatusUnauthorized, "timestamp expired", nil)
		return true
	}
	if f.FaultyRequests > 0 && n > f.FaultyRequests {
		return false
	}
	u := f.draw(path, key, n)
	switch {
	case u < f.ServerErrors:
		codes := []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable}
		answer(w, codes[n%len(codes)], "internal error", nil)
	case u < f.ServerErrors+f.Timeouts:
		hang := f.Hang
		if hang <= 0 {
			hang = 30 * time.Second
		}
		if wait(r.Context(), hang) {
			answer(w, http.StatusGatewayTimeout, "upstream timed out", nil)
		}
	case u < f.ServerErrors+f.Timeouts+f.Malformed:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"status":true,"code":200,"return_data":{"order_id":`))
	case u < f.ServerErrors+f.Timeouts+f.Malformed+f.Drops:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler) // closes the connection without an answer
	case u < f.ServerErrors+f.Timeouts+f.Malformed+f.Drops+f.Conflicts:
		answer(w, http.StatusConflict, "duplicate request", nil)
	default:
		return false
	}
	return true
}
