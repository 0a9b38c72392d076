-- As on SQLite (docs/performance.md, round five): the once-only key indexed only for the jobs
-- that have one, and no index by kind (a manager's listing and the refund and dead-job counts
-- are served by `jobs_due`, by state).
ALTER TABLE jobs DROP CONSTRAINT jobs_shop_id_dedupe_key_key;
CREATE UNIQUE INDEX jobs_once ON jobs (shop_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
DROP INDEX jobs_by_kind;
