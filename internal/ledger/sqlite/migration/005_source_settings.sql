-- The fingerprint of the settings a file was read with (zone, status
-- table, column map, webhook secrets…): a file is skipped on a later run
-- only when both its content and these settings are unchanged.
ALTER TABLE source_files ADD COLUMN settings_sha256 TEXT NOT NULL DEFAULT '';
