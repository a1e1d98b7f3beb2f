-- The key indexes of the webhook deliveries and the gateway records hold a
-- hash of entity and key instead of the strings (keyhash.go): a log or a
-- dump in the order it was written fills them as fast as one in key order.
-- recon_key_hash is a function of recon's connections.
ALTER TABLE deliveries ADD COLUMN key_hash INTEGER NOT NULL DEFAULT 0;
UPDATE deliveries SET key_hash = recon_key_hash(entity, key);
DROP INDEX deliveries_by_key;
CREATE INDEX deliveries_by_key_hash ON deliveries (key_hash);
ALTER TABLE gateway_records ADD COLUMN key_hash INTEGER NOT NULL DEFAULT 0;
UPDATE gateway_records SET key_hash = recon_key_hash(entity, key);
DROP INDEX gateway_by_key;
CREATE INDEX gateway_by_key_hash ON gateway_records (key_hash, fetched_at);
