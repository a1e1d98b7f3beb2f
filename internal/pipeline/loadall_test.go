package pipeline

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/kwikpaisa/recon/internal/ledger"
	"github.com/kwikpaisa/recon/internal/recon"
)

// concurrentStore is a store that loads n files at once; loadAll asks
// nothing else of it.
type concurrentStore struct {
	ledger.Store
	n int
}

func (s concurrentStore) LoadConcurrency() int { return s.n }

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
	r := &run{db: concurrentStore{n: 2}}
	var mu sync.Mutex
	loading, most := map[string]int{}, 0
	together := meet(t, 2) // the first two loads meet: orders and payouts
	files, err := r.loadAll(t.Context(), todo, func(i int) (recon.SourceFile, error) {
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
	r := &run{db: concurrentStore{n: 2}}
	payoutsFailed := make(chan struct{})
	var mu sync.Mutex
	var started []string
	_, err := r.loadAll(t.Context(), todo, func(i int) (recon.SourceFile, error) {
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
