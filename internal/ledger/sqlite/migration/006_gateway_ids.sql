-- The row ids a gateway dump's records took when it was loaded, so that a
-- changed dump's old records are deleted by a range of ids, not by a scan
-- of every gateway record of every date: gateway_records has no index on
-- file_id, which would cost each of a large day's inserts. NULL for a file
-- loaded before, or that stored no gateway record.
ALTER TABLE source_files ADD COLUMN first_gateway_id INTEGER;
ALTER TABLE source_files ADD COLUMN last_gateway_id INTEGER;
