package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// TestDigestStamp: a file written just before it is hashed gets no stamp
// (its change time is inside the racy window); one written before the
// window gets the stamp CurrentStamp gives while it is unchanged, and not
// once it is written again or touched.
func TestDigestStamp(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("stamps are read on Linux only")
	}
	path := filepath.Join(t.TempDir(), "orders.csv")
	content := []byte("order_id,amount\nA,10\n")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(content)
	sum, size, stamp, err := Digest(path)
	if err != nil {
		t.Fatal(err)
	}
	if sum != hex.EncodeToString(want[:]) || size != int64(len(content)) {
		t.Fatalf("Digest = %s, %d; want %x, %d", sum, size, want, len(content))
	}
	if stamp != "" {
		t.Errorf("a file written just now: stamp %q, want none", stamp)
	}

	defer func(w time.Duration) { racyWindow = w }(racyWindow)
	racyWindow = 0 // as if the file had been written long before
	_, _, stamp, err = Digest(path)
	if err != nil {
		t.Fatal(err)
	}
	now, err := CurrentStamp(path)
	if err != nil {
		t.Fatal(err)
	}
	if stamp == "" || now != stamp {
		t.Fatalf("an unchanged file: Digest's stamp %q, CurrentStamp %q; want the same, not empty", stamp, now)
	}
	// The file system's clock has a grain of up to 10 ms (a jiffy) on older
	// kernels: let it move past the one the file was written in.
	time.Sleep(20 * time.Millisecond)
	for _, change := range []struct {
		name string
		do   func() error
	}{
		{"written again, same size", func() error { return os.WriteFile(path, []byte("order_id,amount\nA,20\n"), 0o600) }},
		{"touched", func() error { at := time.Now().Add(-time.Hour); return os.Chtimes(path, at, at) }},
	} {
		if err := change.do(); err != nil {
			t.Fatal(err)
		}
		again, err := CurrentStamp(path)
		if err != nil {
			t.Fatal(err)
		}
		if again == stamp {
			t.Errorf("%s: the stamp is still %q", change.name, stamp)
		}
		stamp = again
	}
}
