-- The key indexes of the webhook deliveries and the gateway records go
-- back to the strings (entity, key). Measured in pairs at 10M orders, the
-- hash indexes of 014 made a run slower, not faster: a log or a dump comes
-- in time order, and a merchant's ids mostly grow with time, so the
-- strings are inserted near the end of their index, where the hashes are
-- inserted all over it. key_hash stays on the rows: a day loaded in parts
-- (recon.Part) keeps a part's rows by it.
DROP INDEX deliveries_by_key_hash;
CREATE INDEX deliveries_by_key ON deliveries (entity, key);
DROP INDEX gateway_by_key_hash;
CREATE INDEX gateway_by_key ON gateway_records (entity, key, fetched_at);
