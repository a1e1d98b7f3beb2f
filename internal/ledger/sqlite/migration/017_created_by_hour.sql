-- The index of the gateway records by creation time leads with the hour
-- they were created in and then their id, so that a dump's records go in
-- at the end of each hour's entries, in whatever order the dump lists
-- them. Led by the instant itself, a dump in key order (its records
-- created at random times of the day) put each entry at a random place in
-- the index: its ingest took half as long again as the same day's by time.
-- The day's query (createdQuery) reads the hours the day spans and keeps
-- the instants inside it; created_at, entity and key make the index cover
-- it.
DROP INDEX gateway_by_created;
CREATE INDEX gateway_by_created_hour ON gateway_records (created_at / 3600000000000, id, created_at, entity, key);
