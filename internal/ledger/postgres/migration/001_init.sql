-- recon's PostgreSQL schema: the SQLite schema after its migration 013,
-- with merchant_id leading every table and key, so that one database holds
-- many merchants' stores. Text is compared byte by byte (COLLATE "C"), as
-- SQLite compares it: the reports' order must not depend on the server's
-- locale. Instants are nanoseconds since 1970 (BIGINT), amounts integer
-- paise (BIGINT).

CREATE TABLE runs (
	merchant_id   TEXT COLLATE "C" NOT NULL,
	id            TEXT COLLATE "C" NOT NULL,
	business_date TEXT COLLATE "C" NOT NULL,
	started_at    BIGINT NOT NULL,
	finished_at   BIGINT,
	status        TEXT COLLATE "C" NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
	exit_code     INTEGER,
	message       TEXT COLLATE "C" NOT NULL DEFAULT '',
	summary       TEXT COLLATE "C" NOT NULL DEFAULT '',
	PRIMARY KEY (merchant_id, id)
);
CREATE INDEX runs_by_date ON runs (merchant_id, business_date, started_at);

CREATE TABLE source_files (
	merchant_id      TEXT COLLATE "C" NOT NULL,
	id               BIGINT GENERATED ALWAYS AS IDENTITY,
	kind             TEXT COLLATE "C" NOT NULL CHECK (kind IN ('orders', 'payouts', 'gateway', 'webhooks')),
	path             TEXT COLLATE "C" NOT NULL,
	sha256           TEXT COLLATE "C" NOT NULL,
	previous_sha256  TEXT COLLATE "C" NOT NULL DEFAULT '',
	size             BIGINT NOT NULL,
	rows_read        INTEGER NOT NULL,
	rows_accepted    INTEGER NOT NULL,
	rows_rejected    INTEGER NOT NULL,
	numeric_keys     INTEGER NOT NULL DEFAULT 0,
	loaded_at        BIGINT NOT NULL,
	settings_sha256  TEXT COLLATE "C" NOT NULL DEFAULT '',
	stamp            TEXT COLLATE "C" NOT NULL DEFAULT '',
	PRIMARY KEY (merchant_id, id),
	UNIQUE (merchant_id, kind, path)
);

CREATE TABLE day_sources (
	merchant_id   TEXT COLLATE "C" NOT NULL,
	business_date TEXT COLLATE "C" NOT NULL,
	role          TEXT COLLATE "C" NOT NULL,
	file_id       BIGINT NOT NULL,
	PRIMARY KEY (merchant_id, business_date, role),
	FOREIGN KEY (merchant_id, file_id) REFERENCES source_files (merchant_id, id) ON DELETE CASCADE
);
CREATE INDEX day_sources_by_file ON day_sources (merchant_id, file_id);

CREATE TABLE orders (
	merchant_id    TEXT COLLATE "C" NOT NULL,
	file_id        BIGINT NOT NULL,
	seq            BIGINT NOT NULL,
	line           TEXT COLLATE "C" NOT NULL,
	order_id       TEXT COLLATE "C" NOT NULL,
	amount         BIGINT NOT NULL,
	currency       TEXT COLLATE "C" NOT NULL,
	status         TEXT COLLATE "C" NOT NULL,
	class          TEXT COLLATE "C" NOT NULL,
	created_at     BIGINT NOT NULL,
	transaction_id TEXT COLLATE "C" NOT NULL,
	payment_method TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (merchant_id, file_id, seq),
	FOREIGN KEY (merchant_id, file_id) REFERENCES source_files (merchant_id, id) ON DELETE CASCADE
);
CREATE INDEX orders_by_key ON orders (merchant_id, order_id);

CREATE TABLE payouts (
	merchant_id         TEXT COLLATE "C" NOT NULL,
	file_id             BIGINT NOT NULL,
	seq                 BIGINT NOT NULL,
	line                TEXT COLLATE "C" NOT NULL,
	payout_order_id     TEXT COLLATE "C" NOT NULL,
	amount              BIGINT NOT NULL,
	currency            TEXT COLLATE "C" NOT NULL,
	status              TEXT COLLATE "C" NOT NULL,
	class               TEXT COLLATE "C" NOT NULL,
	transfer_mode       TEXT COLLATE "C" NOT NULL,
	beneficiary_account TEXT COLLATE "C" NOT NULL,
	beneficiary_ifsc    TEXT COLLATE "C" NOT NULL,
	beneficiary_vpa     TEXT COLLATE "C" NOT NULL,
	utr                 TEXT COLLATE "C" NOT NULL,
	utr_corrupted       BOOLEAN NOT NULL,
	utr_raw             TEXT COLLATE "C" NOT NULL,
	requested_at        BIGINT NOT NULL,
	PRIMARY KEY (merchant_id, file_id, seq),
	FOREIGN KEY (merchant_id, file_id) REFERENCES source_files (merchant_id, id) ON DELETE CASCADE
);
CREATE INDEX payouts_by_key ON payouts (merchant_id, payout_order_id);

-- A gateway record's id orders the records fetched at one instant: the
-- one stored last counts.
CREATE TABLE gateway_records (
	merchant_id         TEXT COLLATE "C" NOT NULL,
	id                  BIGINT GENERATED ALWAYS AS IDENTITY,
	file_id             BIGINT,
	line                TEXT COLLATE "C" NOT NULL,
	entity              TEXT COLLATE "C" NOT NULL CHECK (entity IN ('PAYIN', 'PAYOUT')),
	key                 TEXT COLLATE "C" NOT NULL,
	gateway_id          TEXT COLLATE "C" NOT NULL,
	amount              BIGINT NOT NULL,
	currency            TEXT COLLATE "C" NOT NULL,
	status              TEXT COLLATE "C" NOT NULL,
	class               TEXT COLLATE "C" NOT NULL,
	transaction_id      TEXT COLLATE "C" NOT NULL,
	bank_reference      TEXT COLLATE "C" NOT NULL,
	utr                 TEXT COLLATE "C" NOT NULL,
	payment_method      TEXT COLLATE "C" NOT NULL,
	transfer_mode       TEXT COLLATE "C" NOT NULL,
	beneficiary_account TEXT COLLATE "C" NOT NULL,
	beneficiary_ifsc    TEXT COLLATE "C" NOT NULL,
	beneficiary_vpa     TEXT COLLATE "C" NOT NULL,
	failure_reason      TEXT COLLATE "C" NOT NULL,
	created_at          BIGINT NOT NULL,
	settled_at          BIGINT NOT NULL,
	fetched_at          BIGINT NOT NULL,
	raw                 BYTEA,
	PRIMARY KEY (merchant_id, id),
	FOREIGN KEY (merchant_id, file_id) REFERENCES source_files (merchant_id, id) ON DELETE CASCADE
);
CREATE INDEX gateway_by_key ON gateway_records (merchant_id, entity, key, fetched_at);
CREATE INDEX gateway_by_created ON gateway_records (merchant_id, created_at, entity, key);
CREATE INDEX gateway_by_file ON gateway_records (merchant_id, file_id);

CREATE TABLE pulls (
	merchant_id TEXT COLLATE "C" NOT NULL,
	entity      TEXT COLLATE "C" NOT NULL,
	key         TEXT COLLATE "C" NOT NULL,
	outcome     TEXT COLLATE "C" NOT NULL CHECK (outcome IN ('found', 'not_found', 'failed')),
	attempts    INTEGER NOT NULL,
	error       TEXT COLLATE "C" NOT NULL DEFAULT '',
	pulled_at   BIGINT NOT NULL,
	PRIMARY KEY (merchant_id, entity, key)
);

CREATE TABLE pull_activity (
	merchant_id   TEXT COLLATE "C" NOT NULL,
	business_date TEXT COLLATE "C" NOT NULL,
	entity        TEXT COLLATE "C" NOT NULL,
	key           TEXT COLLATE "C" NOT NULL,
	requests      INTEGER NOT NULL,
	retries       INTEGER NOT NULL,
	rate_limited  INTEGER NOT NULL,
	PRIMARY KEY (merchant_id, business_date, entity, key)
);

CREATE TABLE deliveries (
	merchant_id    TEXT COLLATE "C" NOT NULL,
	file_id        BIGINT NOT NULL,
	line           BIGINT NOT NULL,
	received_at    BIGINT NOT NULL,
	timestamp      BIGINT NOT NULL,
	event          TEXT COLLATE "C" NOT NULL,
	entity         TEXT COLLATE "C" NOT NULL,
	key            TEXT COLLATE "C" NOT NULL,
	class          TEXT COLLATE "C" NOT NULL,
	amount         BIGINT,
	currency       TEXT COLLATE "C" NOT NULL,
	transaction_id TEXT COLLATE "C" NOT NULL,
	utr            TEXT COLLATE "C" NOT NULL,
	body_sha256    TEXT COLLATE "C" NOT NULL,
	verified       TEXT COLLATE "C" NOT NULL,
	stale          BOOLEAN NOT NULL,
	problem        TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (merchant_id, file_id, line),
	FOREIGN KEY (merchant_id, file_id) REFERENCES source_files (merchant_id, id) ON DELETE CASCADE
);
CREATE INDEX deliveries_by_key ON deliveries (merchant_id, entity, key);
CREATE INDEX deliveries_by_body ON deliveries (merchant_id, body_sha256);

CREATE TABLE rejects (
	merchant_id TEXT COLLATE "C" NOT NULL,
	file_id     BIGINT NOT NULL,
	seq         BIGINT NOT NULL,
	line        TEXT COLLATE "C" NOT NULL,
	field       TEXT COLLATE "C" NOT NULL, -- SQLite's "column"
	value       TEXT COLLATE "C" NOT NULL,
	reason      TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (merchant_id, file_id, seq),
	FOREIGN KEY (merchant_id, file_id) REFERENCES source_files (merchant_id, id) ON DELETE CASCADE
);

CREATE TABLE exceptions (
	merchant_id    TEXT COLLATE "C" NOT NULL,
	business_date  TEXT COLLATE "C" NOT NULL,
	category       TEXT COLLATE "C" NOT NULL,
	entity         TEXT COLLATE "C" NOT NULL,
	reference      TEXT COLLATE "C" NOT NULL,
	severity       TEXT COLLATE "C" NOT NULL,
	provisional    BOOLEAN NOT NULL,
	first_seen     TEXT COLLATE "C" NOT NULL,
	ledger_amount  BIGINT,
	gateway_amount BIGINT,
	difference     BIGINT,
	ledger_status  TEXT COLLATE "C" NOT NULL,
	gateway_status TEXT COLLATE "C" NOT NULL,
	webhook_status TEXT COLLATE "C" NOT NULL,
	ledger_utr     TEXT COLLATE "C" NOT NULL,
	gateway_utr    TEXT COLLATE "C" NOT NULL,
	missing_in     TEXT COLLATE "C" NOT NULL,
	count          INTEGER NOT NULL,
	detail         TEXT COLLATE "C" NOT NULL,
	evidence       TEXT COLLATE "C" NOT NULL,
	run_id         TEXT COLLATE "C" NOT NULL,
	found_on       TEXT COLLATE "C" NOT NULL DEFAULT '',
	resolved_on    TEXT COLLATE "C" NOT NULL DEFAULT '',
	PRIMARY KEY (merchant_id, business_date, category, entity, reference)
);
CREATE INDEX exceptions_by_ref ON exceptions (merchant_id, category, entity, reference, business_date);
CREATE INDEX exceptions_by_resolution ON exceptions (merchant_id, resolved_on, business_date);

-- The exception workflow's trail (SPEC §8): append-only.
CREATE TABLE exception_audit (
	merchant_id   TEXT COLLATE "C" NOT NULL,
	id            BIGINT GENERATED ALWAYS AS IDENTITY,
	business_date TEXT COLLATE "C" NOT NULL,
	category      TEXT COLLATE "C" NOT NULL,
	entity        TEXT COLLATE "C" NOT NULL,
	reference     TEXT COLLATE "C" NOT NULL,
	at            TEXT COLLATE "C" NOT NULL, -- RFC 3339, UTC
	who           TEXT COLLATE "C" NOT NULL,
	from_state    TEXT COLLATE "C" NOT NULL,
	to_state      TEXT COLLATE "C" NOT NULL,
	owner         TEXT COLLATE "C" NOT NULL,
	note          TEXT COLLATE "C" NOT NULL,
	run_id        TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (merchant_id, id)
);
CREATE INDEX exception_audit_by_key ON exception_audit (merchant_id, business_date, category, entity, reference, id);
CREATE FUNCTION exception_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'exception_audit is append-only';
END;
$$;
CREATE TRIGGER exception_audit_no_update BEFORE UPDATE OR DELETE ON exception_audit
	FOR EACH ROW EXECUTE FUNCTION exception_audit_append_only();

-- Who holds a date's run lock (the lock itself is an advisory lock).
CREATE TABLE date_locks (
	merchant_id   TEXT COLLATE "C" NOT NULL,
	business_date TEXT COLLATE "C" NOT NULL,
	holder        TEXT COLLATE "C" NOT NULL,
	since         BIGINT NOT NULL,
	PRIMARY KEY (merchant_id, business_date)
);
