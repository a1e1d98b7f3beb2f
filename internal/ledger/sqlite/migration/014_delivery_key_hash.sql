-- The webhook log's key index holds a hash of entity and key instead of
-- the strings (keyhash.go): a log in the order deliveries were received
-- fills it as fast as one in key order. recon_key_hash is a function of
-- recon's connections.
ALTER TABLE deliveries ADD COLUMN key_hash INTEGER NOT NULL DEFAULT 0;
UPDATE deliveries SET key_hash = recon_key_hash(entity, key);
DROP INDEX deliveries_by_key;
CREATE INDEX deliveries_by_key_hash ON deliveries (key_hash);
