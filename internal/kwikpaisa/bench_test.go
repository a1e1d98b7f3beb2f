package kwikpaisa

import (
	"testing"
)

// benchBody is a webhook body of the size the generator writes.
var benchBody = []byte(`{"data":{"amount":"26420.25","currency":"INR","order_id":"ORD202611240000001","status":"PAID",` +
	`"transaction_id":"KPTXN619166955561"},"event":"payment.success"}`)

const benchTS = "1795461318"

func BenchmarkSign(b *testing.B) {
	b.SetBytes(int64(len(benchBody)))
	for b.Loop() {
		Sign("whsec_bench_2026", benchBody, benchTS)
	}
}

func BenchmarkVerify(b *testing.B) {
	sig := Sign("whsec_bench_2026", benchBody, benchTS)
	b.SetBytes(int64(len(benchBody)))
	for b.Loop() {
		if !Verify("whsec_bench_2026", benchBody, benchTS, sig) {
			b.Fatal("Verify=false, want true")
		}
	}
}

// BenchmarkVerifyCanonical is the fallback path: the canonical JSON of the
// body, then the HMAC.
func BenchmarkVerifyCanonical(b *testing.B) {
	canon, err := CanonicalJSON(benchBody)
	if err != nil {
		b.Fatal(err)
	}
	sig := Sign("whsec_bench_2026", canon, benchTS)
	b.SetBytes(int64(len(benchBody)))
	for b.Loop() {
		c, err := CanonicalJSON(benchBody)
		if err != nil {
			b.Fatal(err)
		}
		if !Verify("whsec_bench_2026", c, benchTS, sig) {
			b.Fatal("Verify=false, want true")
		}
	}
}

// BenchmarkCheckStrict is the check every webhook body passes before
// either signature method (and every JSON line ingest reads).
func BenchmarkCheckStrict(b *testing.B) {
	b.SetBytes(int64(len(benchBody)))
	b.ReportAllocs()
	for b.Loop() {
		if err := CheckStrict(benchBody); err != nil {
			b.Fatal(err)
		}
	}
}
