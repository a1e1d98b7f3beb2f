-- The key indexes of the gateway records and the webhook deliveries become
-- tables of their own, which recon fills in hash order a run of a file's
-- rows at a time (keytable.go): SQLite filled an index at one random place
-- per row of a dump or log in the order it was written.
CREATE TABLE gateway_keys (
	key_hash   INTEGER NOT NULL,
	fetched_at INTEGER NOT NULL,
	id         INTEGER NOT NULL, -- the gateway record's
	PRIMARY KEY (key_hash, fetched_at, id)
) WITHOUT ROWID;
INSERT INTO gateway_keys (key_hash, fetched_at, id)
	SELECT key_hash, fetched_at, id FROM gateway_records ORDER BY key_hash, fetched_at, id;
DROP INDEX gateway_by_key_hash;

CREATE TABLE delivery_keys (
	key_hash INTEGER NOT NULL,
	file_id  INTEGER NOT NULL, -- the delivery's
	line     INTEGER NOT NULL,
	PRIMARY KEY (key_hash, file_id, line)
) WITHOUT ROWID;
INSERT INTO delivery_keys (key_hash, file_id, line)
	SELECT key_hash, file_id, line FROM deliveries ORDER BY key_hash, file_id, line;
DROP INDEX deliveries_by_key_hash;
