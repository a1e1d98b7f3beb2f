-- The index of the gateway records by creation time holds the time alone,
-- as it did first (001): covering the entity and key too (003) cost every
-- record stored about a third more of the store's writing. The keys created
-- in a day are read by record id instead, in runs of ids sorted, the way a
-- ledger's records are (day_gateway.go, createdRows).
DROP INDEX gateway_by_created;
CREATE INDEX gateway_by_created ON gateway_records (created_at);
