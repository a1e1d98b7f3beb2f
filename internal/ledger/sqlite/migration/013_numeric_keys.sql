-- How many accepted rows of a ledger took their order or payout id from a
-- numeric XLSX cell, where a spreadsheet drops leading zeros: a run warns
-- about such a file each time, also when it finds it unchanged.
ALTER TABLE source_files ADD COLUMN numeric_keys INTEGER NOT NULL DEFAULT 0;
