package main

// script is the day's work in DuckDB's SQL, statement by statement
// (";\n" ends one). $NAME is replaced before it runs. Times are Unix
// seconds; the generator's local times are IST (+05:30).
const script = `
SET threads = $THREADS;

CREATE TABLE o_raw AS SELECT row_number() OVER () AS line, * FROM read_csv($ORDERS, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"');

CREATE TABLE orders AS
SELECT line, trim(order_id) AS key,
	CASE WHEN regexp_full_match(trim(amount), '[0-9]+(\.[0-9]{1,2})?') THEN CAST(trim(amount) AS DECIMAL(18, 2)) END AS amount,
	coalesce(nullif(trim(currency), ''), 'INR') AS currency,
	CASE
		WHEN lower(trim(status)) IN ('success', 'paid', 'captured', 'completed') THEN 'SUCCESS'
		WHEN lower(trim(status)) IN ('failed', 'failure', 'declined', 'expired', 'cancelled', 'user_dropped', 'un_paid') THEN 'NOT_PAID'
		WHEN lower(trim(status)) IN ('pending', 'processing', 'initiated', 'created', 'attempted') THEN 'PENDING'
		WHEN lower(trim(status)) IN ('refunded', 'partially_refunded') THEN 'REFUNDED'
	END AS class,
	coalesce(epoch(try_strptime(created_at, '%Y-%m-%d %H:%M:%S'))::BIGINT - 19800,
		epoch(try_strptime(created_at, '%Y-%m-%dT%H:%M:%SZ'))::BIGINT) AS occurred,
	coalesce(trim(transaction_id), '') AS txn
FROM o_raw;

DELETE FROM orders WHERE amount IS NULL OR class IS NULL OR occurred IS NULL;

CREATE TABLE p_raw AS SELECT row_number() OVER () AS line, * FROM read_csv($PAYOUTS, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"');

CREATE TABLE payouts AS
SELECT line, key, amount, currency, class, occurred, account, ifsc, vpa,
	regexp_full_match(u, '[0-9](\.[0-9]+)?E\+?[0-9]+') AS corrupted,
	CASE WHEN regexp_full_match(u, '[0-9](\.[0-9]+)?E\+?[0-9]+') OR u IN ('', 'NA', 'N/A', '-', '0', 'NULL', 'NONE', 'PENDING')
		OR regexp_full_match(u, '0+') THEN NULL ELSE u END AS utr
FROM (
	SELECT line, trim(payout_order_id) AS key,
		CASE WHEN regexp_full_match(trim(amount), '[0-9]+(\.[0-9]{1,2})?') THEN CAST(trim(amount) AS DECIMAL(18, 2)) END AS amount,
		coalesce(nullif(trim(currency), ''), 'INR') AS currency,
		CASE
			WHEN lower(trim(status)) IN ('success', 'processed', 'paid', 'completed') THEN 'SUCCESS'
			WHEN lower(trim(status)) IN ('failed', 'failure', 'rejected', 'cancelled') THEN 'FAILED'
			WHEN lower(trim(status)) IN ('pending', 'processing', 'queued', 'initiated', 'on_hold') THEN 'PENDING'
			WHEN lower(trim(status)) IN ('reversed', 'returned') THEN 'REVERSED'
		END AS class,
		coalesce(epoch(try_strptime(requested_at, '%Y-%m-%d %H:%M:%S'))::BIGINT - 19800,
			epoch(try_strptime(requested_at, '%Y-%m-%dT%H:%M:%SZ'))::BIGINT) AS occurred,
		coalesce(ltrim(trim(beneficiary_account), '0'), '') AS account,
		upper(coalesce(trim(beneficiary_ifsc), '')) AS ifsc,
		lower(coalesce(trim(beneficiary_vpa), '')) AS vpa,
		upper(regexp_replace(coalesce(trim(utr), ''), '[\s\x{00A0}\x{200B}]', '', 'g')) AS u
	FROM p_raw);

DELETE FROM payouts WHERE amount IS NULL OR class IS NULL OR occurred IS NULL;

CREATE TABLE g_raw AS SELECT row_number() OVER () AS line, * FROM read_json($GATEWAY, format = 'newline_delimited',
	columns = {order_id: 'VARCHAR', order_amount: 'VARCHAR', order_status: 'VARCHAR', currency: 'VARCHAR',
		transaction_id: 'VARCHAR', created_at: 'VARCHAR', payout_order_id: 'VARCHAR', amount: 'VARCHAR',
		payout_status: 'VARCHAR', utr: 'VARCHAR', rrn_number: 'VARCHAR', beneficiary_account: 'VARCHAR',
		beneficiary_ifsc: 'VARCHAR', beneficiary_vpa: 'VARCHAR'});

CREATE TABLE gateway AS
SELECT * EXCLUDE (rn) FROM (
	SELECT entity, key, amount, currency, class, created, txn, account, ifsc, vpa,
		CASE WHEN u IN ('', 'NA', 'N/A', '-', '0', 'NULL', 'NONE', 'PENDING') OR regexp_full_match(u, '0+') THEN NULL ELSE u END AS utr,
		row_number() OVER (PARTITION BY entity, key ORDER BY line DESC) AS rn
	FROM (
		SELECT line,
			CASE WHEN payout_order_id IS NULL THEN 'PAYIN' ELSE 'PAYOUT' END AS entity,
			coalesce(order_id, payout_order_id) AS key,
			CAST(coalesce(order_amount, amount) AS DECIMAL(18, 2)) AS amount,
			currency,
			CASE coalesce(order_status, payout_status)
				WHEN 'PAID' THEN 'SUCCESS' WHEN 'SUCCESS' THEN 'SUCCESS'
				WHEN 'UN_PAID' THEN (CASE WHEN payout_order_id IS NULL THEN 'NOT_PAID' END)
				WHEN 'FAILED' THEN (CASE WHEN payout_order_id IS NULL THEN 'NOT_PAID' ELSE 'FAILED' END)
				WHEN 'EXPIRED' THEN 'NOT_PAID'
				WHEN 'REFUNDED' THEN 'REFUNDED' WHEN 'REVERSED' THEN 'REVERSED'
				WHEN 'PROCESSING' THEN 'PENDING' WHEN 'PENDING' THEN 'PENDING' WHEN 'QUEUED' THEN 'PENDING'
			END AS class,
			epoch(strptime(created_at, '%d-%m-%Y %I:%M %p'))::BIGINT - 19800 AS created,
			coalesce(transaction_id, '') AS txn,
			coalesce(ltrim(beneficiary_account, '0'), '') AS account,
			upper(coalesce(beneficiary_ifsc, '')) AS ifsc,
			lower(coalesce(beneficiary_vpa, '')) AS vpa,
			upper(trim(coalesce(utr, rrn_number, ''))) AS u
		FROM g_raw))
WHERE rn = 1;

CREATE TABLE w_raw AS SELECT row_number() OVER () AS line, body, received_at,
	json_extract_string(headers, '$."X-Timestamp"') AS ts, json_extract_string(headers, '$."X-Signature"') AS sig
FROM read_json($WEBHOOKS, format = 'newline_delimited', columns = {body: 'VARCHAR', headers: 'JSON', received_at: 'VARCHAR'});

CREATE TABLE deliveries AS
SELECT line, body, key, entity, txn, ts,
	CASE event
		WHEN 'payment.success' THEN 'SUCCESS' WHEN 'payment.failed' THEN 'NOT_PAID' WHEN 'payment.expired' THEN 'NOT_PAID'
		WHEN 'payment.processing' THEN 'PENDING' WHEN 'payout.success' THEN 'SUCCESS' WHEN 'payout.failed' THEN 'FAILED'
		WHEN 'payout.processing' THEN 'PENDING' WHEN 'payout.reversed' THEN 'REVERSED'
	END AS class,
	verified, abs(ts - received) > 300 AS stale
FROM (
	SELECT line, body,
		json_extract_string(body, '$.event') AS event,
		coalesce(json_extract_string(body, '$.data.order_id'), json_extract_string(body, '$.data.payout_order_id')) AS key,
		CASE WHEN json_extract_string(body, '$.data.payout_order_id') IS NULL THEN 'PAYIN' ELSE 'PAYOUT' END AS entity,
		coalesce(json_extract_string(body, '$.data.transaction_id'), '') AS txn,
		TRY_CAST(ts AS BIGINT) AS ts,
		coalesce(signed(body, ts, sig), false) AS verified,
		epoch(strptime(substr(received_at, 1, 23), '%Y-%m-%dT%H:%M:%S.%g'))::BIGINT
			- (CASE substr(received_at, 24, 1) WHEN '-' THEN -1 ELSE 1 END)
			* (TRY_CAST(substr(received_at, 25, 2) AS BIGINT) * 3600 + TRY_CAST(substr(received_at, 28, 2) AS BIGINT) * 60) AS received
	FROM w_raw);

CREATE TABLE evidence AS SELECT * FROM deliveries WHERE verified AND NOT stale;

-- The day's ledgers: rows dated the day, the first of a key matched.
CREATE TABLE lo AS SELECT *, row_number() OVER (PARTITION BY key ORDER BY line) AS nth, count(*) OVER (PARTITION BY key) AS n
FROM orders WHERE occurred >= $LO AND occurred < $HI;
CREATE TABLE lp AS SELECT *, row_number() OVER (PARTITION BY key ORDER BY line) AS nth, count(*) OVER (PARTITION BY key) AS n
FROM payouts WHERE occurred >= $LO AND occurred < $HI;

-- The day's keys: its ledgers' and those the gateway created in the day.
CREATE TABLE scope AS
SELECT 'PAYIN' AS entity, key FROM lo UNION SELECT 'PAYOUT', key FROM lp
UNION SELECT entity, key FROM gateway WHERE created >= $LO AND created < $HI;

CREATE TABLE exceptions (category VARCHAR, entity VARCHAR, reference VARCHAR);

INSERT INTO exceptions
SELECT DISTINCT 'DUPLICATE_LEDGER_ROW', 'PAYIN', key FROM lo WHERE n > 1
UNION ALL SELECT DISTINCT 'DUPLICATE_LEDGER_ROW', 'PAYOUT', key FROM lp WHERE n > 1;

INSERT INTO exceptions
SELECT 'MISSING_AT_GATEWAY', 'PAYIN', l.key FROM lo l ANTI JOIN gateway g ON g.entity = 'PAYIN' AND g.key = l.key WHERE l.nth = 1
UNION ALL SELECT 'MISSING_AT_GATEWAY', 'PAYOUT', l.key FROM lp l ANTI JOIN gateway g ON g.entity = 'PAYOUT' AND g.key = l.key WHERE l.nth = 1;

INSERT INTO exceptions
SELECT 'MISSING_IN_LEDGER', g.entity, g.key FROM gateway g
WHERE g.created >= $LO AND g.created < $HI
	AND NOT (g.entity = 'PAYIN' AND EXISTS (SELECT 1 FROM orders o WHERE o.key = g.key))
	AND NOT (g.entity = 'PAYOUT' AND EXISTS (SELECT 1 FROM payouts p WHERE p.key = g.key));

INSERT INTO exceptions
SELECT unnest(list_filter([
		CASE WHEN l.amount <> g.amount THEN 'AMOUNT_MISMATCH' END,
		CASE WHEN l.currency <> g.currency THEN 'CURRENCY_MISMATCH' END,
		CASE WHEN l.class <> g.class THEN 'STATUS_MISMATCH' END], x -> x IS NOT NULL)), 'PAYIN', l.key
FROM lo l JOIN gateway g ON g.entity = 'PAYIN' AND g.key = l.key WHERE l.nth = 1;

INSERT INTO exceptions
SELECT unnest(list_filter([
		CASE WHEN l.amount <> g.amount THEN 'AMOUNT_MISMATCH' END,
		CASE WHEN l.currency <> g.currency THEN 'CURRENCY_MISMATCH' END,
		CASE WHEN l.class <> g.class THEN 'STATUS_MISMATCH' END,
		CASE WHEN l.utr IS NOT NULL AND g.utr IS NOT NULL AND l.utr <> g.utr THEN 'UTR_MISMATCH' END,
		CASE WHEN (l.account <> '' AND g.account <> '' AND l.account <> g.account)
			OR (l.ifsc <> '' AND g.ifsc <> '' AND l.ifsc <> g.ifsc)
			OR (l.vpa <> '' AND g.vpa <> '' AND l.vpa <> g.vpa) THEN 'BENEFICIARY_MISMATCH' END], x -> x IS NOT NULL)), 'PAYOUT', l.key
FROM lp l JOIN gateway g ON g.entity = 'PAYOUT' AND g.key = l.key WHERE l.nth = 1;

-- Missing and corrupted UTRs, of the day's payouts.
INSERT INTO exceptions
SELECT 'UTR_CORRUPTED', 'PAYOUT', key FROM lp WHERE nth = 1 AND corrupted
UNION ALL
SELECT 'MISSING_UTR', 'PAYOUT', s.key FROM scope s
	LEFT JOIN lp l ON l.key = s.key AND l.nth = 1 LEFT JOIN gateway g ON g.entity = 'PAYOUT' AND g.key = s.key
WHERE s.entity = 'PAYOUT' AND ((g.class = 'SUCCESS' AND g.utr IS NULL) OR (l.class = 'SUCCESS' AND l.utr IS NULL AND NOT l.corrupted));

-- One UTR on more than one payout of the day.
INSERT INTO exceptions
SELECT DISTINCT 'DUPLICATE_UTR', 'PAYOUT', key FROM (
	SELECT key, utr, count(DISTINCT key) OVER (PARTITION BY utr) AS sharers FROM (
		SELECT s.key, l.utr FROM scope s JOIN lp l ON l.key = s.key AND l.nth = 1 WHERE s.entity = 'PAYOUT' AND l.utr IS NOT NULL
		UNION SELECT s.key, g.utr FROM scope s JOIN gateway g ON g.entity = 'PAYOUT' AND g.key = s.key
			WHERE s.entity = 'PAYOUT' AND g.utr IS NOT NULL))
WHERE sharers > 1;

-- Like payouts: one beneficiary and amount, requested within 15 minutes of
-- the one before, none failed.
INSERT INTO exceptions
SELECT 'DUPLICATE_PAYOUT', 'PAYOUT', key FROM (
	SELECT key, count(*) OVER (PARTITION BY ben, amount, grp) AS size FROM (
		SELECT key, ben, amount, sum(CASE WHEN gap IS NULL OR gap > 900 THEN 1 ELSE 0 END)
			OVER (PARTITION BY ben, amount ORDER BY occurred, key) AS grp FROM (
			SELECT l.key, l.amount, l.occurred,
				CASE WHEN l.account <> '' THEN l.account || '/' || l.ifsc ELSE l.vpa END AS ben,
				l.occurred - lag(l.occurred) OVER (PARTITION BY CASE WHEN l.account <> '' THEN l.account || '/' || l.ifsc ELSE l.vpa END,
					l.amount ORDER BY l.occurred, l.key) AS gap
			FROM lp l LEFT JOIN gateway g ON g.entity = 'PAYOUT' AND g.key = l.key
			WHERE l.nth = 1 AND coalesce(g.class, l.class) <> 'FAILED' AND (l.account <> '' OR l.vpa <> ''))))
WHERE size > 1;

-- More than one successful transaction id for a pay-in.
INSERT INTO exceptions
SELECT 'DUPLICATE_PAYMENT', 'PAYIN', key FROM (
	SELECT g.key, g.txn FROM scope s JOIN gateway g ON g.entity = 'PAYIN' AND g.key = s.key
		WHERE s.entity = 'PAYIN' AND g.class IN ('SUCCESS', 'REFUNDED') AND g.txn <> ''
	UNION SELECT e.key, e.txn FROM scope s JOIN evidence e ON e.entity = 'PAYIN' AND e.key = s.key
		WHERE s.entity = 'PAYIN' AND e.class = 'SUCCESS' AND e.txn <> '')
GROUP BY key HAVING count(DISTINCT txn) > 1;

-- The latest verified delivery against the gateway's record.
INSERT INTO exceptions
SELECT 'WEBHOOK_CONFLICT', s.entity, s.key FROM scope s
	JOIN gateway g ON g.entity = s.entity AND g.key = s.key
	JOIN (SELECT entity, key, arg_max(class, (ts, line)) AS class FROM evidence GROUP BY entity, key) e
		ON e.entity = s.entity AND e.key = s.key
WHERE e.class <> 'PENDING' AND e.class <> g.class
	AND NOT (e.class = 'SUCCESS' AND g.class IN ('REFUNDED', 'REVERSED'));

INSERT INTO exceptions
SELECT 'WEBHOOK_MISSING', s.entity, s.key FROM scope s JOIN gateway g ON g.entity = s.entity AND g.key = s.key
WHERE g.class IN ('SUCCESS', 'REVERSED')
	AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.entity = s.entity AND e.key = s.key AND e.class = g.class);

INSERT INTO exceptions
SELECT DISTINCT 'WEBHOOK_SIGNATURE_INVALID', 'WEBHOOK', key FROM deliveries WHERE NOT verified
UNION ALL SELECT DISTINCT 'WEBHOOK_REPLAYED', 'WEBHOOK', key FROM deliveries WHERE stale
UNION ALL SELECT DISTINCT 'WEBHOOK_ORPHAN', 'WEBHOOK', e.key FROM evidence e
	WHERE NOT EXISTS (SELECT 1 FROM gateway g WHERE g.entity = e.entity AND g.key = e.key)
		AND NOT (e.entity = 'PAYIN' AND EXISTS (SELECT 1 FROM orders o WHERE o.key = e.key))
		AND NOT (e.entity = 'PAYOUT' AND EXISTS (SELECT 1 FROM payouts p WHERE p.key = e.key))
UNION ALL SELECT DISTINCT 'DUPLICATE_WEBHOOK', 'WEBHOOK', any_value(key) FROM deliveries GROUP BY body HAVING count(*) > 1;
`
