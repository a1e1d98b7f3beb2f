// Package kwikpaisa speaks KwikPaisa's v3 API as recon uses it: the request
// signature, the canonical JSON it is computed over, and the status calls.
package kwikpaisa

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"sort"
	"strconv"
)

// CanonicalJSON rewrites a JSON document the way KwikPaisa signs it: object
// keys sorted at every level, compact, no HTML escaping, "/" not escaped,
// numbers written exactly as received. A document that is not strict JSON
// (CheckStrict) has no canonical form: with a repeated key, the encoder
// would keep one copy and a reader of the document another.
func CanonicalJSON(doc []byte) ([]byte, error) {
	if err := CheckStrict(doc); err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("canonical json: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("canonical json: trailing data after the document")
	}
	var buf bytes.Buffer
	buf.Grow(len(doc))
	if err := writeCanonical(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeCanonical(buf *bytes.Buffer, v any) error {
	switch v := v.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		buf.WriteString(strconv.FormatBool(v))
	case json.Number:
		buf.WriteString(v.String())
	case string:
		writeString(buf, v)
	case []any:
		buf.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeCanonical(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, k)
			buf.WriteByte(':')
			if err := writeCanonical(buf, v[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	default:
		return fmt.Errorf("canonical json: unexpected %T", v)
	}
	return nil
}

// writeString writes s as a JSON string without HTML escaping.
func writeString(buf *bytes.Buffer, s string) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	buf.Truncate(buf.Len() - 1)
}

// Sign returns hex(HMAC-SHA256(secret, message + timestamp)), the signature
// of both API requests and webhook deliveries.
func Sign(secret string, message []byte, timestamp string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(message)
	mac.Write([]byte(timestamp))
	return hex.EncodeToString(mac.Sum(nil))
}

// Verify reports in constant time whether signature is the hex signature of
// message + timestamp under secret. A signature of the wrong length or not
// in hex is simply not valid.
func Verify(secret string, message []byte, timestamp, signature string) bool {
	return NewVerifier(secret).Verify(message, timestamp, signature)
}

// Verifier verifies signatures under one secret, keeping its HMAC between
// calls so the keyed state is computed once, not per message. A Verifier is
// not safe for concurrent use.
type Verifier struct {
	mac  hash.Hash
	want [sha256.Size]byte
	sum  []byte
	ts   []byte // the timestamp's bytes: hmac has no WriteString, and io.WriteString would copy them anew
}

// NewVerifier returns a Verifier of secret.
func NewVerifier(secret string) *Verifier {
	return &Verifier{mac: hmac.New(sha256.New, []byte(secret))}
}

// Verify is the package's Verify under v's secret.
func (v *Verifier) Verify(message []byte, timestamp, signature string) bool {
	if len(signature) != hex.EncodedLen(sha256.Size) {
		return false
	}
	if _, err := hex.Decode(v.want[:], []byte(signature)); err != nil {
		return false
	}
	v.mac.Reset()
	v.mac.Write(message)
	v.ts = append(v.ts[:0], timestamp...)
	v.mac.Write(v.ts)
	v.sum = v.mac.Sum(v.sum[:0])
	return hmac.Equal(v.want[:], v.sum)
}
