-- A file's rows went in at a third of the speed they could: every row
-- COPY stored checked its foreign key to source_files, a query per row, and
-- every delivery added its body's hash at a random place of an index.
--
-- The rows of a file are only ever written by LoadFile, in the transaction
-- that records or finds the file's source_files row, and no source file is
-- ever deleted: the keys held nothing the store does not already hold. A
-- repeated body is found by joining the day's own logs to the others',
-- which are read by file (their primary key) as SQLite's store does.
ALTER TABLE orders DROP CONSTRAINT orders_merchant_id_file_id_fkey;
ALTER TABLE payouts DROP CONSTRAINT payouts_merchant_id_file_id_fkey;
ALTER TABLE gateway_records DROP CONSTRAINT gateway_records_merchant_id_file_id_fkey;
ALTER TABLE deliveries DROP CONSTRAINT deliveries_merchant_id_file_id_fkey;
ALTER TABLE rejects DROP CONSTRAINT rejects_merchant_id_file_id_fkey;
DROP INDEX deliveries_by_body;
