-- The file system's stamp of a source file (device, inode, size,
-- modification and change times) when it was last hashed: a later run that
-- finds the same stamp at the path knows its content without reading it.
-- Empty when it was not to be trusted (ingest.Stamp) or for a file loaded
-- before: such a file is hashed again.
ALTER TABLE source_files ADD COLUMN stamp TEXT NOT NULL DEFAULT '';
