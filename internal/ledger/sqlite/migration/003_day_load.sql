-- The gateway keys created in a day are read from this index alone
-- (covering), without a lookup into the table per record.
DROP INDEX gateway_by_created;
CREATE INDEX gateway_by_created ON gateway_records (created_at, entity, key);
