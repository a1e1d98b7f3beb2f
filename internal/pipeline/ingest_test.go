package pipeline

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/kwikpaisa"
	"github.com/kwikpaisa/recon/internal/match"
	"github.com/kwikpaisa/recon/internal/recon"
)

type manifestInput struct {
	Kind           string `json:"kind"`
	SHA256         string `json:"sha256"`
	PreviousSHA256 string `json:"previous_sha256"`
	RowsRead       int    `json:"rows_read"`
	RowsRejected   int    `json:"rows_rejected"`
}

// TestIngestIdempotent runs one date four times over one SQLite file: the
// same orders file twice (nothing changes), then a changed file (re-read,
// replaced not added, the manifest shows both hashes), then the changed
// file again (nothing changes, one hash).
func TestIngestIdempotent(t *testing.T) {
	ist := time.FixedZone("IST", 19800)
	dir := t.TempDir()
	orders := filepath.Join(dir, "orders.csv")
	v1 := "order_id,amount,status,created_at\nA,10,paid,2026-11-24 10:00\nB,20,paid,2026-11-24 11:00\nC,1.234,paid,2026-11-24 12:00\n"
	v2 := v1 + "D,40,paid,2026-11-24 13:00\n"
	db := filepath.Join(dir, "recon.db")
	now := time.Date(2026, 11, 25, 2, 0, 0, 0, ist)

	steps := []struct {
		content        string
		wantPrev       string // "v1" when the manifest must show v1's hash as previous
		orders, reject int
	}{
		{v1, "", 2, 1},
		{v1, "", 2, 1},
		{v2, "v1", 3, 1},
		{v2, "", 3, 1},
	}
	var hash1 string
	var loaded []int
	for i, st := range steps {
		if err := os.WriteFile(orders, []byte(st.content), 0o644); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
		cfg := Config{
			Date: "2026-11-24", Zone: ist, DB: db, Out: filepath.Join(dir, "out"),
			Sources: Sources{Orders: orders}, Offline: true,
			Ingest: ingest.DefaultOptions(ist), Match: match.DefaultOptions(),
			Now: func() time.Time { return now },
		}
		res, err := Run(context.Background(), cfg)
		if err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
		var m struct {
			Inputs []manifestInput `json:"inputs"`
		}
		b, err := os.ReadFile(filepath.Join(res.Dir, "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		if len(m.Inputs) != 1 {
			t.Fatalf("run %d: manifest inputs %+v", i+1, m.Inputs)
		}
		in := m.Inputs[0]
		sum, _, _, _ := ingest.Digest(orders)
		if i == 0 {
			hash1 = sum
		}
		wantPrev := ""
		if st.wantPrev == "v1" {
			wantPrev = hash1
		}
		if in.SHA256 != sum || in.PreviousSHA256 != wantPrev {
			t.Errorf("run %d: manifest sha256 %s previous %q; want %s previous %q", i+1, in.SHA256, in.PreviousSHA256, sum, wantPrev)
		}
		if in.RowsRead != st.orders+st.reject || in.RowsRejected != st.reject {
			t.Errorf("run %d: manifest rows read %d rejected %d; want %d, %d", i+1, in.RowsRead, in.RowsRejected, st.orders+st.reject, st.reject)
		}
		if got := count(t, db, "SELECT count(*) FROM orders"); got != st.orders {
			t.Errorf("run %d: store holds %d orders, want %d", i+1, got, st.orders)
		}
		if got := count(t, db, "SELECT count(*) FROM rejects"); got != st.reject {
			t.Errorf("run %d: store holds %d rejects, want %d", i+1, got, st.reject)
		}
		if got := count(t, db, "SELECT count(*) FROM source_files"); got != 1 {
			t.Errorf("run %d: store holds %d source files, want 1", i+1, got)
		}
		loaded = append(loaded, count(t, db, "SELECT loaded_at / 1000000000 FROM source_files"))
	}
	// The clock moved a minute each run: an unchanged file is not loaded
	// again, a changed one is.
	if loaded[1] != loaded[0] || loaded[2] == loaded[1] || loaded[3] != loaded[2] {
		t.Errorf("loaded_at over the runs %v; want the file loaded by runs 1 and 3 only", loaded)
	}
}

func count(t *testing.T, path, query string) int {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestIngestSettingsChange: an unchanged file is read again when the
// settings it is read with change. A rejected status word added to the
// status table is accepted, and a webhook log first read with a rotated-out
// secret verifies once the current secret is configured; with the same
// settings the file is not read again.
func TestIngestSettingsChange(t *testing.T) {
	ist := time.FixedZone("IST", 19800)
	dir := t.TempDir()
	orders := filepath.Join(dir, "orders.csv")
	webhooks := filepath.Join(dir, "webhooks.jsonl")
	if err := os.WriteFile(orders, []byte("order_id,amount,status,created_at\nA,10,settled,2026-11-24 10:00\nB,20,paid,2026-11-24 11:00\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	received := time.Date(2026, 11, 24, 10, 15, 2, 0, ist)
	ts := strconv.FormatInt(received.Unix(), 10)
	body := `{"event":"payment.success","data":{"order_id":"B","amount":"20.00","currency":"INR"}}`
	line, err := json.Marshal(map[string]any{"received_at": received.Format(time.RFC3339),
		"headers": map[string]string{"X-Signature": kwikpaisa.Sign("whsec_new", []byte(body), ts), "X-Timestamp": ts}, "body": body})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(webhooks, append(line, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "recon.db")
	now := time.Date(2026, 11, 25, 2, 0, 0, 0, ist)

	steps := []struct {
		name            string
		secret, word    string // the webhook secret; a status word added to the table
		rejects, signed int    // rejected order rows; verified deliveries
		reread          bool
	}{
		{"first read, old secret", "whsec_old", "", 1, 0, true},
		{"same settings", "whsec_old", "", 1, 0, false},
		{"current secret, new word", "whsec_new", "settled", 0, 1, true},
		{"same settings again", "whsec_new", "settled", 0, 1, false},
	}
	var loaded int
	for i, st := range steps {
		now = now.Add(time.Minute)
		opts := ingest.DefaultOptions(ist)
		opts.WebhookSecrets = []string{st.secret}
		if st.word != "" {
			opts.Statuses.Set(recon.EntityPayin, st.word, recon.StatusSuccess)
		}
		cfg := Config{
			Date: "2026-11-24", Zone: ist, DB: db, Out: filepath.Join(dir, "out"),
			Sources: Sources{Orders: orders, Webhooks: webhooks}, Offline: true,
			Ingest: opts, Match: match.DefaultOptions(),
			Now: func() time.Time { return now },
		}
		if _, err := Run(context.Background(), cfg); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := count(t, db, "SELECT count(*) FROM rejects"); got != st.rejects {
			t.Errorf("%s: store holds %d rejects, want %d", st.name, got, st.rejects)
		}
		if got := count(t, db, "SELECT count(*) FROM deliveries WHERE verified <> ''"); got != st.signed {
			t.Errorf("%s: store holds %d verified deliveries, want %d", st.name, got, st.signed)
		}
		at := count(t, db, "SELECT max(loaded_at) / 1000000000 FROM source_files")
		if reread := i == 0 || at != loaded; reread != st.reread {
			t.Errorf("%s: files read again = %v, want %v", st.name, reread, st.reread)
		}
		loaded = at
	}
}

// TestHashOrder: the largest file is hashed first, the others in load
// order; a file that cannot be read keeps its place.
func TestHashOrder(t *testing.T) {
	dir := t.TempDir()
	file := func(name string, size int) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, make([]byte, size), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name  string
		paths []string
		order []int
	}{
		{"largest last", []string{file("o", 10), file("p", 5), file("g", 30), file("w", 40)}, []int{3, 0, 1, 2}},
		{"largest in the middle", []string{file("o2", 10), file("g2", 30), file("p2", 5)}, []int{1, 0, 2}},
		{"largest first", []string{file("o3", 50), file("w3", 40)}, []int{0, 1}},
		{"sizes equal", []string{file("a", 7), file("b", 7)}, []int{0, 1}},
		{"one missing", []string{filepath.Join(dir, "missing"), file("w4", 3), file("o4", 1)}, []int{1, 0, 2}},
		{"none", nil, []int{}},
	} {
		if got := hashOrder(tc.paths); !slices.Equal(got, tc.order) {
			t.Errorf("%s: hashOrder = %v, want %v", tc.name, got, tc.order)
		}
	}
}

// TestIngestStamp: a file whose stamp is the one the store kept is not
// hashed again, and the manifest still shows its hash; a file touched is
// hashed again (unchanged, its new stamp kept), and a file written again
// with the same size is read again. A file hashed just after it was
// written keeps no stamp (ingest.Stamp's racy window): the test sets the
// store's stamp as a run long after the writing would have.
func TestIngestStamp(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("stamps are read on Linux only")
	}
	ist := time.FixedZone("IST", 19800)
	dir := t.TempDir()
	orders := filepath.Join(dir, "orders.csv")
	write := func(content string) {
		t.Helper()
		if err := os.WriteFile(orders, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("order_id,amount,status,created_at\nA,10.00,paid,2026-11-24 10:00\n")
	db := filepath.Join(dir, "recon.db")
	store := func(query string, args ...any) string {
		t.Helper()
		conn, err := sql.Open("sqlite3", "file:"+db)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var s string
		if err := conn.QueryRow(query, args...).Scan(&s); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return s
	}
	keepStamp := func() { // as a run long after the file was written keeps it
		t.Helper()
		st, err := ingest.CurrentStamp(orders)
		if err != nil || st == "" {
			t.Fatalf("stamp of %s: %q, %v", orders, st, err)
		}
		store("UPDATE source_files SET stamp = ? RETURNING stamp", string(st))
	}
	now := time.Date(2026, 11, 25, 2, 0, 0, 0, ist)
	run := func(step string) (msg string, hashed bool, sum string) {
		t.Helper()
		now = now.Add(time.Minute)
		var log bytes.Buffer
		cfg := Config{
			Date: "2026-11-24", Zone: ist, DB: db, Out: filepath.Join(dir, "out"),
			Sources: Sources{Orders: orders}, Offline: true,
			Ingest: ingest.DefaultOptions(ist), Match: match.DefaultOptions(),
			Now: func() time.Time { return now }, Log: slog.New(slog.NewJSONHandler(&log, nil)),
		}
		res, err := Run(context.Background(), cfg)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		for _, line := range bytes.Split(log.Bytes(), []byte("\n")) {
			var e struct {
				Msg    string `json:"msg"`
				Stage  string `json:"stage"`
				Hashed bool   `json:"hashed"`
			}
			if json.Unmarshal(line, &e) == nil && e.Stage == "ingest" && strings.HasPrefix(e.Msg, "source ") {
				msg, hashed = e.Msg, e.Hashed
			}
		}
		var m struct {
			Inputs []manifestInput `json:"inputs"`
		}
		b, err := os.ReadFile(filepath.Join(res.Dir, "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &m); err != nil || len(m.Inputs) != 1 {
			t.Fatalf("%s: manifest inputs %+v (%v)", step, m.Inputs, err)
		}
		want, _, _, err := ingest.Digest(orders)
		if err != nil {
			t.Fatal(err)
		}
		if m.Inputs[0].SHA256 != want {
			t.Errorf("%s: manifest sha256 %s, want %s", step, m.Inputs[0].SHA256, want)
		}
		return msg, hashed, m.Inputs[0].PreviousSHA256
	}

	if msg, _, _ := run("first run"); msg != "source loaded" {
		t.Fatalf("first run: %q", msg)
	}
	if st := store("SELECT stamp FROM source_files"); st != "" {
		t.Errorf("a file hashed just after it was written: stamp %q kept", st)
	}
	keepStamp()
	if msg, hashed, _ := run("stamp unchanged"); msg != "source unchanged" || hashed {
		t.Errorf("stamp unchanged: %q, hashed %v; want unchanged, not hashed", msg, hashed)
	}
	time.Sleep(20 * time.Millisecond) // past the file system clock's grain
	at := time.Now().Add(-time.Hour)
	if err := os.Chtimes(orders, at, at); err != nil {
		t.Fatal(err)
	}
	if msg, hashed, _ := run("touched"); msg != "source unchanged" || !hashed {
		t.Errorf("touched: %q, hashed %v; want unchanged, hashed", msg, hashed)
	}
	if st := store("SELECT stamp FROM source_files"); st != "" {
		t.Errorf("touched just before it was hashed: stamp %q kept", st)
	}
	keepStamp()
	time.Sleep(20 * time.Millisecond)
	write("order_id,amount,status,created_at\nA,20.00,paid,2026-11-24 10:00\n") // the same size
	if msg, _, prev := run("written again"); msg != "source loaded" || prev == "" {
		t.Errorf("written again: %q, previous hash %q; want loaded, with the previous hash", msg, prev)
	}
}
