# recon — make help lists the targets.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/recon
DATE  ?= 2026-11-24
# The fixture day's webhook log is signed with this test secret; it is not a
# real KwikPaisa secret.
FIXTURE_WEBHOOK_SECRET := whsec_fixture_2026
# `make demo` pulls from a local `recon sandbox` with these test credentials;
# they open nothing but that sandbox.
DEMO_API_KEY    := pk_test_demo_fixture
DEMO_SECRET_KEY := sk_test_demo_fixture
export CGO_ENABLED := 1
# How long `make fuzz` runs each fuzz target; `make test` runs each for 2000
# inputs: a count, not a duration, since Go 1.26's fuzzing coordinator can
# fail a target with "context deadline exceeded" as a duration ends
# (golang/go#75804, fixed in Go 1.27).
FUZZTIME ?= 10s
# `make bench` measures this tier (S: 100,000 orders; M: 1,000,000; M3:
# 3,000,000; L: 10,000,000, about 30 GB of disk and run only on demand) on a day
# generated once into bench/data/<tier>-<seed>-timed (its gateway dump and
# webhook log by time, as real exports come), and the same day in key order
# into bench/data/<tier>-<seed>, measured beside it (first run only).
TIER ?= S
SEED ?= 1
# POSTGRES, a PostgreSQL server URL without its password (PGPASSWORD holds it),
# makes `make bench` run the tier on PostgreSQL too.
POSTGRES ?= $(RECON_BENCH_POSTGRES_URL)
# BENCHFLAGS passes more flags to reconbench, e.g. --no-rerun or --keep.
BENCHFLAGS ?=
# DUCKDB=1 builds the DuckDB baseline (bench/duckdb, a module of its own:
# DuckDB never enters bin/recon) and runs it on the day by time right after
# recon, for the ratio of the two (issue 20).
DUCKDB ?=
# ROUNDS measures each first run (and the baseline after it) this many times,
# each on a fresh store, and reports the median round: two runs of one binary
# on a shared 2-core machine differ by up to a quarter.
ROUNDS ?= 1
# PAIRED=1 runs, in each round of the day by time, the tier below (M3 for L,
# M for M3) and the same day in key order beside the first run, and judges
# the growth and the input order by the median of the rounds' own ratios
# rather than by last runs that may be minutes or days apart.
PAIRED ?=

.PHONY: help tools build demo demo-offline test fmt-check vet unit bench fuzz lint fixtures clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-11s %s\n", $$1, $$2}'

tools: ## check the toolchain: Go and a C compiler (cgo, for SQLite)
	@command -v $(GO) >/dev/null || { echo "recon needs Go 1.26 or later: https://go.dev/dl/"; exit 1; }
	@command -v gcc >/dev/null || command -v cc >/dev/null || { \
		echo "recon needs a C compiler for SQLite (cgo). On Debian/Ubuntu: sudo apt-get install -y gcc"; exit 1; }
	@$(GO) mod download

build: tools ## build bin/recon
	$(GO) build -o $(BIN) ./cmd/recon

demo: build ## reconcile the fixture day, pulling statuses from a local sandbox
	@export KWIKPAISA_API_KEY=$(DEMO_API_KEY) KWIKPAISA_SECRET_KEY=$(DEMO_SECRET_KEY) \
		KWIKPAISA_WEBHOOK_SECRET=$(FIXTURE_WEBHOOK_SECRET); \
	url_file=$$(mktemp); rm -f "$$url_file"; \
	$(BIN) sandbox --gateway fixtures/day/$(DATE)/gateway.jsonl --url-file "$$url_file" >/dev/null & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; wait $$pid 2>/dev/null; rm -f "$$url_file"' EXIT; \
	for i in $$(seq 100); do [ -s "$$url_file" ] && break; kill -0 $$pid 2>/dev/null || exit 1; sleep 0.1; done; \
	url=$$(cat "$$url_file"); echo "KwikPaisa sandbox at $$url (pid $$pid)"; \
	echo "$(BIN) run --config fixtures/recon.toml --date $(DATE) --api-url $$url"; \
	$(BIN) run --config fixtures/recon.toml --date $(DATE) --api-url "$$url"

demo-offline: build ## reconcile the fixture day from its gateway dump alone, no API call
	KWIKPAISA_WEBHOOK_SECRET=$(FIXTURE_WEBHOOK_SECRET) $(BIN) run --config fixtures/recon.toml --date $(DATE) --offline

test: tools fmt-check vet unit ## what CI runs: gofmt check, go vet, tests with -race, brief fuzzing
	@$(MAKE) --no-print-directory fuzz FUZZTIME=2000x

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

unit:
	$(GO) test -race -count=1 ./...
	# Allocation bounds, which the race detector's pools would blur.
	$(GO) test -count=1 -run 'Allocs' ./internal/ingest ./internal/kwikpaisa

bench: build ## measure `recon run` on a generated day (TIER=S, M, M3 or L; on PostgreSQL too with POSTGRES=url; beside DuckDB with DUCKDB=1), the same day in key order, then the Go benchmarks
	$(GO) build -o bin/reconbench ./cmd/reconbench
	bin/reconbench --recon $(BIN) --tier $(TIER) --seed $(SEED) --date $(DATE) --cache bench/data --key-order --no-rerun --rounds $(ROUNDS) $(BENCHFLAGS)
	$(if $(DUCKDB),cd bench/duckdb && $(GO) build -o ../../bin/duckrecon .)
	bin/reconbench --recon $(BIN) --tier $(TIER) --seed $(SEED) --date $(DATE) --cache bench/data $(if $(DUCKDB),--duckdb bin/duckrecon) $(if $(PAIRED),--paired) --rounds $(ROUNDS) $(BENCHFLAGS)
	$(if $(POSTGRES),bin/reconbench --recon $(BIN) --tier $(TIER) --seed $(SEED) --date $(DATE) --cache bench/data --postgres '$(POSTGRES)' $(BENCHFLAGS))
	$(GO) test -run '^$$' -bench . -benchmem ./...

fuzz: ## run each fuzz target for FUZZTIME (10s, or a count: 2000x)
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

lint: ## staticcheck
	$(GO) run honnef.co/go/tools/cmd/staticcheck@latest ./...

fixtures: build ## regenerate the fixture day's inputs (then: go test ./cmd/recon -update)
	KWIKPAISA_WEBHOOK_SECRET=$(FIXTURE_WEBHOOK_SECRET) $(BIN) gen --out fixtures/day/$(DATE) --date $(DATE) --settle-dir fixtures/day --key-order

clean: ## remove build output, the demo database and reports
	rm -rf bin reports recon.db recon.db-wal recon.db-shm
