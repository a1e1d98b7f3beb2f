-- recon's store. Amounts are INTEGER minor units (paise), never REAL.
-- Instants are INTEGER unix nanoseconds, UTC. Business dates are TEXT
-- YYYY-MM-DD.

-- One row per run of `recon run`.
CREATE TABLE runs (
	id            TEXT PRIMARY KEY,
	business_date TEXT NOT NULL,
	started_at    INTEGER NOT NULL,
	finished_at   INTEGER,
	status        TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
	exit_code     INTEGER,
	message       TEXT NOT NULL DEFAULT '',
	summary       TEXT NOT NULL DEFAULT '' -- JSON figures of the run
);
CREATE INDEX runs_by_date ON runs (business_date, started_at);

-- Every input file ever loaded, by kind and path. A file whose content
-- (sha256) is unchanged is not read again; a changed one has its rows
-- replaced and keeps the hash it had before.
CREATE TABLE source_files (
	id              INTEGER PRIMARY KEY,
	kind            TEXT NOT NULL CHECK (kind IN ('orders', 'payouts', 'gateway', 'webhooks')),
	path            TEXT NOT NULL,
	sha256          TEXT NOT NULL,
	previous_sha256 TEXT NOT NULL DEFAULT '',
	size            INTEGER NOT NULL,
	rows_read       INTEGER NOT NULL,
	rows_accepted   INTEGER NOT NULL,
	rows_rejected   INTEGER NOT NULL,
	loaded_at       INTEGER NOT NULL,
	UNIQUE (kind, path)
);

-- Which files make up each business date's sources. Re-running a date
-- replaces its rows here: its snapshot is what these files hold.
CREATE TABLE day_sources (
	business_date TEXT NOT NULL,
	role          TEXT NOT NULL, -- orders, payouts, gateway, webhooks, webhooks_next
	file_id       INTEGER NOT NULL REFERENCES source_files (id) ON DELETE CASCADE,
	PRIMARY KEY (business_date, role)
);

CREATE TABLE orders (
	file_id        INTEGER NOT NULL REFERENCES source_files (id) ON DELETE CASCADE,
	seq            INTEGER NOT NULL, -- row order in the file
	line           TEXT NOT NULL,    -- CSV line or Sheet!row
	order_id       TEXT NOT NULL,
	amount         INTEGER NOT NULL,
	currency       TEXT NOT NULL,
	status         TEXT NOT NULL,
	class          TEXT NOT NULL,
	created_at     INTEGER NOT NULL,
	transaction_id TEXT NOT NULL,
	payment_method TEXT NOT NULL,
	PRIMARY KEY (file_id, seq)
) WITHOUT ROWID;
CREATE INDEX orders_by_key ON orders (order_id);

CREATE TABLE payouts (
	file_id             INTEGER NOT NULL REFERENCES source_files (id) ON DELETE CASCADE,
	seq                 INTEGER NOT NULL,
	line                TEXT NOT NULL,
	payout_order_id     TEXT NOT NULL,
	amount              INTEGER NOT NULL,
	currency            TEXT NOT NULL,
	status              TEXT NOT NULL,
	class               TEXT NOT NULL,
	transfer_mode       TEXT NOT NULL,
	beneficiary_account TEXT NOT NULL,
	beneficiary_ifsc    TEXT NOT NULL,
	beneficiary_vpa     TEXT NOT NULL,
	utr                 TEXT NOT NULL,
	utr_corrupted       INTEGER NOT NULL,
	utr_raw             TEXT NOT NULL,
	requested_at        INTEGER NOT NULL,
	PRIMARY KEY (file_id, seq)
) WITHOUT ROWID;
CREATE INDEX payouts_by_key ON payouts (payout_order_id);

-- The gateway's records: from dumps (file_id set) and from pulls (file_id
-- NULL, raw set). The latest fetched record of a key is its gateway record.
CREATE TABLE gateway_records (
	id                  INTEGER PRIMARY KEY,
	file_id             INTEGER REFERENCES source_files (id) ON DELETE CASCADE,
	line                TEXT NOT NULL,
	entity              TEXT NOT NULL CHECK (entity IN ('PAYIN', 'PAYOUT')),
	key                 TEXT NOT NULL,
	gateway_id          TEXT NOT NULL,
	amount              INTEGER NOT NULL,
	currency            TEXT NOT NULL,
	status              TEXT NOT NULL,
	class               TEXT NOT NULL,
	transaction_id      TEXT NOT NULL,
	bank_reference      TEXT NOT NULL,
	utr                 TEXT NOT NULL,
	payment_method      TEXT NOT NULL,
	transfer_mode       TEXT NOT NULL,
	beneficiary_account TEXT NOT NULL,
	beneficiary_ifsc    TEXT NOT NULL,
	beneficiary_vpa     TEXT NOT NULL,
	failure_reason      TEXT NOT NULL,
	created_at          INTEGER NOT NULL,
	settled_at          INTEGER NOT NULL,
	fetched_at          INTEGER NOT NULL,
	raw                 BLOB
);
CREATE INDEX gateway_by_key ON gateway_records (entity, key, fetched_at);
CREATE INDEX gateway_by_created ON gateway_records (created_at);

-- What the last pull of a key found: found, not_found or failed.
CREATE TABLE pulls (
	entity    TEXT NOT NULL,
	key       TEXT NOT NULL,
	outcome   TEXT NOT NULL CHECK (outcome IN ('found', 'not_found', 'failed')),
	attempts  INTEGER NOT NULL,
	error     TEXT NOT NULL DEFAULT '',
	pulled_at INTEGER NOT NULL,
	PRIMARY KEY (entity, key)
) WITHOUT ROWID;

CREATE TABLE deliveries (
	file_id        INTEGER NOT NULL REFERENCES source_files (id) ON DELETE CASCADE,
	line           INTEGER NOT NULL,
	received_at    INTEGER NOT NULL,
	timestamp      INTEGER NOT NULL,
	event          TEXT NOT NULL,
	entity         TEXT NOT NULL,
	key            TEXT NOT NULL,
	class          TEXT NOT NULL,
	amount         INTEGER,
	currency       TEXT NOT NULL,
	transaction_id TEXT NOT NULL,
	utr            TEXT NOT NULL,
	body_sha256    TEXT NOT NULL,
	verified       TEXT NOT NULL,
	stale          INTEGER NOT NULL,
	problem        TEXT NOT NULL,
	PRIMARY KEY (file_id, line)
) WITHOUT ROWID;
CREATE INDEX deliveries_by_key ON deliveries (entity, key);

CREATE TABLE rejects (
	file_id INTEGER NOT NULL REFERENCES source_files (id) ON DELETE CASCADE,
	seq     INTEGER NOT NULL,
	line    TEXT NOT NULL,
	column  TEXT NOT NULL,
	value   TEXT NOT NULL,
	reason  TEXT NOT NULL,
	PRIMARY KEY (file_id, seq)
) WITHOUT ROWID;

-- The exceptions each business date reported, replaced by each run of the
-- date. first_seen is the earliest date the same (category, entity,
-- reference) was reported.
CREATE TABLE exceptions (
	business_date  TEXT NOT NULL,
	category       TEXT NOT NULL,
	entity         TEXT NOT NULL,
	reference      TEXT NOT NULL,
	severity       TEXT NOT NULL,
	provisional    INTEGER NOT NULL,
	first_seen     TEXT NOT NULL,
	ledger_amount  INTEGER,
	gateway_amount INTEGER,
	difference     INTEGER,
	ledger_status  TEXT NOT NULL,
	gateway_status TEXT NOT NULL,
	webhook_status TEXT NOT NULL,
	ledger_utr     TEXT NOT NULL,
	gateway_utr    TEXT NOT NULL,
	missing_in     TEXT NOT NULL,
	count          INTEGER NOT NULL,
	detail         TEXT NOT NULL,
	evidence       TEXT NOT NULL,
	run_id         TEXT NOT NULL,
	PRIMARY KEY (business_date, category, entity, reference)
) WITHOUT ROWID;
CREATE INDEX exceptions_by_ref ON exceptions (category, entity, reference, business_date);
