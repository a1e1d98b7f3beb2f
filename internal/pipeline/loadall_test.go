package pipeline

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ingest"
	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

// meet returns a wait that blocks until every one of n callers has come,
// failing t if they do not within a minute (loads that never overlap).
func meet(t *testing.T, n int) func() {
	var wg sync.WaitGroup
	wg.Add(n)
	return func() {
		wg.Done()
		all := make(chan struct{})
		go func() { wg.Wait(); close(all) }()
		select {
		case <-all:
		case <-time.After(time.Minute):
			t.Error("files were not loaded beside each other")
		}
	}
}

// TestLoadAllConcurrently: a store that writes two files at once is given
// two, never two of one kind, and each file's result keeps its place.
func TestLoadAllConcurrently(t *testing.T) {
	todo := []source{
		{role: "orders", kind: "orders"}, {role: "orders_prev", kind: "orders"}, {role: "payouts", kind: "payouts"},
		{role: "gateway", kind: "gateway"}, {role: "webhooks", kind: "webhooks"}, {role: "webhooks_next", kind: "webhooks"},
	}
	var mu sync.Mutex
	loading, most := map[string]int{}, 0
	together := meet(t, 2) // the first two loads meet: orders and payouts
	files, err := loadAll(todo, []int{0, 1, 2, 3, 4, 5}, 2, func(i int) (recon.SourceFile, error) {
		mu.Lock()
		loading[todo[i].kind]++
		n := 0
		for kind, k := range loading {
			n += k
			if k > 1 {
				t.Errorf("two %s files loaded at once", kind)
			}
		}
		most = max(most, n)
		mu.Unlock()
		if i == 0 || i == 2 {
			together()
		}
		mu.Lock()
		loading[todo[i].kind]--
		mu.Unlock()
		return recon.SourceFile{Path: todo[i].role}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if most != 2 {
		t.Errorf("at most %d files loaded at once, want 2", most)
	}
	for i, f := range files {
		if f.Path != todo[i].role {
			t.Errorf("file %d is %q, want %q", i, f.Path, todo[i].role)
		}
	}
}

// TestLoadAllFirstError: when loads fail, the error reported is that of
// the first failed file in order, not the first to fail, once the loads
// under way have ended; no file starts after a failure.
func TestLoadAllFirstError(t *testing.T) {
	todo := []source{{role: "orders", kind: "orders"}, {role: "payouts", kind: "payouts"},
		{role: "gateway", kind: "gateway"}, {role: "webhooks", kind: "webhooks"}}
	payoutsFailed := make(chan struct{})
	var mu sync.Mutex
	var started []string
	_, err := loadAll(todo, []int{0, 1, 2, 3}, 2, func(i int) (recon.SourceFile, error) {
		mu.Lock()
		started = append(started, todo[i].role)
		mu.Unlock()
		switch i {
		case 0:
			select {
			case <-payoutsFailed:
			case <-time.After(time.Minute):
				t.Error("payouts were not loaded beside orders")
			}
			return recon.SourceFile{}, errors.New("orders bad")
		case 1:
			close(payoutsFailed)
			return recon.SourceFile{}, errors.New("payouts bad")
		}
		return recon.SourceFile{}, nil
	})
	if err == nil || err.Error() != "orders bad" {
		t.Errorf("error %v, want orders bad", err)
	}
	if len(started) != 2 {
		t.Errorf("loads started: %v, want only orders and payouts", started)
	}
}

// concurrentStore is a store that loads n files at once.
type concurrentStore struct {
	ledger.Store
	n int
}

func (s concurrentStore) LoadConcurrency() int { return s.n }

// TestLoadOrder: a store that loads files one at a time takes them in the
// sources' order; one that loads several begins with the largest, and a
// file that cannot be read comes last.
func TestLoadOrder(t *testing.T) {
	dir := t.TempDir()
	var todo []source
	for i, size := range []int{10, 0, 30, 20} {
		p := filepath.Join(dir, strconv.Itoa(i))
		if err := os.WriteFile(p, make([]byte, size), 0o600); err != nil {
			t.Fatal(err)
		}
		todo = append(todo, source{path: p})
	}
	todo = append(todo, source{path: filepath.Join(dir, "missing")})
	for _, c := range []struct {
		db   ledger.Store
		want []int
	}{
		{concurrentStore{n: 1}, []int{0, 1, 2, 3, 4}},
		{concurrentStore{n: 2}, []int{2, 3, 0, 1, 4}},
	} {
		r := &run{db: c.db}
		if got := loadOrder(todo, r.loadConcurrency()); !slices.Equal(got, c.want) {
			t.Errorf("%d at a time: order %v, want %v", c.db.(concurrentStore).n, got, c.want)
		}
	}
}

// TestProgressOfFilesReadAtOnce: of files read at once the display is
// shown the first begun; one read meanwhile is shown when that one ends,
// as done beside it, and then the file still being read.
func TestProgressOfFilesReadAtOnce(t *testing.T) {
	var shown []Stage
	r := &run{cfg: Config{Progress: func(s Stage) { shown = append(shown, s) }}}
	src := func(name string) source { return source{role: name, kind: name, path: "/in/" + name} }
	_, stopGateway := r.counted(src("gateway"), 10, ingest.Sink{})
	_, stopOrders := r.counted(src("orders"), 10, ingest.Sink{})
	_, stopWebhooks := r.counted(src("webhooks"), 10, ingest.Sink{})
	stopOrders()
	stopGateway()
	stopWebhooks()
	var got []string
	for _, s := range shown {
		g := s.File
		if s.Took > 0 {
			g += " done beside " + s.Beside
		}
		got = append(got, g)
	}
	want := []string{"/in/gateway", "/in/orders done beside /in/gateway", "/in/webhooks"}
	if !slices.Equal(got, want) {
		t.Errorf("shown %q, want %q", got, want)
	}
}

// TestLoadAllOneAtATime: a store that loads one file at a time (SQLite's)
// is given them in order, never two at once, and none after a failure.
func TestLoadAllOneAtATime(t *testing.T) {
	todo := []source{{role: "orders", kind: "orders"}, {role: "payouts", kind: "payouts"},
		{role: "gateway", kind: "gateway"}, {role: "webhooks", kind: "webhooks"}}
	var mu sync.Mutex
	var started []string
	loading, most := 0, 0
	_, err := loadAll(todo, []int{0, 1, 2, 3}, 1, func(i int) (recon.SourceFile, error) {
		mu.Lock()
		started = append(started, todo[i].role)
		loading++
		most = max(most, loading)
		mu.Unlock()
		defer func() { mu.Lock(); loading--; mu.Unlock() }()
		if i == 2 {
			return recon.SourceFile{}, errors.New("gateway bad")
		}
		return recon.SourceFile{}, nil
	})
	if err == nil || err.Error() != "gateway bad" {
		t.Errorf("error %v, want gateway bad", err)
	}
	if got := strings.Join(started, " "); got != "orders payouts gateway" || most != 1 {
		t.Errorf("loads begun %q, %d at most at once; want orders payouts gateway, one at a time", got, most)
	}
}
