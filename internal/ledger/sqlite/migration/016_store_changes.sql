-- A run of a large day keeps the rows it read from the store, set aside by
-- part, for the next run of the same date (parts.go): store_changes holds
-- a stamp that every change of the store draws afresh at random, and the
-- kept rows serve only the stamp they were read at. Random, not a count: a
-- store made again, or restored from a copy, and changed as often since
-- would count the same. The triggers stamp every write recon makes that a
-- day's load reads (a file loaded, replaced or dropped; a date's sources; a
-- pull), and any update or removal of a stored row, by recon or by hand. A
-- row's own insert is stamped by its file's: a trigger per inserted row
-- would cost the ingest of a large day seconds.
CREATE TABLE store_changes (
	id    INTEGER PRIMARY KEY CHECK (id = 1),
	stamp INTEGER NOT NULL
);
INSERT INTO store_changes (id, stamp) VALUES (1, random());

CREATE TRIGGER source_files_inserted AFTER INSERT ON source_files BEGIN UPDATE store_changes SET stamp = random(); END;
CREATE TRIGGER source_files_deleted AFTER DELETE ON source_files BEGIN UPDATE store_changes SET stamp = random(); END;
-- Not stamp: a file hashed again and found unchanged records its new stamp.
CREATE TRIGGER source_files_updated AFTER UPDATE OF id, kind, path, sha256, previous_sha256, size, rows_read,
	rows_accepted, rows_rejected, loaded_at, settings_sha256, first_gateway_id, last_gateway_id, numeric_keys
	ON source_files BEGIN UPDATE store_changes SET stamp = random(); END;

CREATE TRIGGER day_sources_inserted AFTER INSERT ON day_sources BEGIN UPDATE store_changes SET stamp = random(); END;
CREATE TRIGGER day_sources_deleted AFTER DELETE ON day_sources BEGIN UPDATE store_changes SET stamp = random(); END;
CREATE TRIGGER day_sources_updated AFTER UPDATE ON day_sources BEGIN UPDATE store_changes SET stamp = random(); END;

CREATE TRIGGER pulls_inserted AFTER INSERT ON pulls BEGIN UPDATE store_changes SET stamp = random(); END;
CREATE TRIGGER pulls_deleted AFTER DELETE ON pulls BEGIN UPDATE store_changes SET stamp = random(); END;
CREATE TRIGGER pulls_updated AFTER UPDATE ON pulls BEGIN UPDATE store_changes SET stamp = random(); END;

CREATE TRIGGER orders_deleted AFTER DELETE ON orders BEGIN UPDATE store_changes SET stamp = random(); END;
CREATE TRIGGER orders_updated AFTER UPDATE ON orders BEGIN UPDATE store_changes SET stamp = random(); END;
CREATE TRIGGER payouts_deleted AFTER DELETE ON payouts BEGIN UPDATE store_changes SET stamp = random(); END;
CREATE TRIGGER payouts_updated AFTER UPDATE ON payouts BEGIN UPDATE store_changes SET stamp = random(); END;
CREATE TRIGGER gateway_records_deleted AFTER DELETE ON gateway_records BEGIN UPDATE store_changes SET stamp = random(); END;
CREATE TRIGGER gateway_records_updated AFTER UPDATE ON gateway_records BEGIN UPDATE store_changes SET stamp = random(); END;
CREATE TRIGGER deliveries_deleted AFTER DELETE ON deliveries BEGIN UPDATE store_changes SET stamp = random(); END;
CREATE TRIGGER deliveries_updated AFTER UPDATE ON deliveries BEGIN UPDATE store_changes SET stamp = random(); END;
CREATE TRIGGER gateway_keys_deleted AFTER DELETE ON gateway_keys BEGIN UPDATE store_changes SET stamp = random(); END;
CREATE TRIGGER gateway_keys_updated AFTER UPDATE ON gateway_keys BEGIN UPDATE store_changes SET stamp = random(); END;
CREATE TRIGGER delivery_keys_deleted AFTER DELETE ON delivery_keys BEGIN UPDATE store_changes SET stamp = random(); END;
CREATE TRIGGER delivery_keys_updated AFTER UPDATE ON delivery_keys BEGIN UPDATE store_changes SET stamp = random(); END;
