-- The exception workflow (SPEC §8): every change of an exception's state,
-- by a person (recon resolve, recon notes import) or by a run whose data
-- settled or brought back an exception (run_id set). The latest entry of a
-- key is its state, owner and note. Append-only: the triggers refuse any
-- UPDATE or DELETE, so nothing, not even a re-run replacing a date's
-- exceptions, shortens the trail.
CREATE TABLE exception_audit (
	id            INTEGER PRIMARY KEY,
	business_date TEXT NOT NULL,
	category      TEXT NOT NULL,
	entity        TEXT NOT NULL,
	reference     TEXT NOT NULL,
	at            TEXT NOT NULL, -- RFC 3339, UTC
	who           TEXT NOT NULL,
	from_state    TEXT NOT NULL,
	to_state      TEXT NOT NULL,
	owner         TEXT NOT NULL,
	note          TEXT NOT NULL,
	run_id        TEXT NOT NULL
);
CREATE INDEX exception_audit_by_key ON exception_audit (business_date, category, entity, reference, id);
CREATE TRIGGER exception_audit_no_update BEFORE UPDATE ON exception_audit
BEGIN
	SELECT RAISE(ABORT, 'exception_audit is append-only');
END;
CREATE TRIGGER exception_audit_no_delete BEFORE DELETE ON exception_audit
BEGIN
	SELECT RAISE(ABORT, 'exception_audit is append-only');
END;
