-- What the status pulls of each business date did, key by key, summed over
-- all the date's runs: the summary reports the date's pulls, so a re-run
-- that asks nothing new writes the same figures.
CREATE TABLE pull_activity (
	business_date TEXT NOT NULL,
	entity        TEXT NOT NULL,
	key           TEXT NOT NULL,
	requests      INTEGER NOT NULL,
	retries       INTEGER NOT NULL,
	rate_limited  INTEGER NOT NULL,
	PRIMARY KEY (business_date, entity, key)
) WITHOUT ROWID;
