-- Jobs in three B-trees instead of five (docs/performance.md, round five). Every order placed
-- queues its ticket-age check, and each B-tree a row enters is at least one more page in the
-- commit's WAL — two or three when an index's page splits. The once-only key held an entry
-- for every job, keyed or not: now only for keyed ones (a column's UNIQUE cannot be made
-- partial, hence the table is rebuilt). `jobs_by_kind` was read only by a manager's listing
-- and the refund and dead-job counts, which `jobs_due` (by state) serves as well for the few
-- jobs that are not done. The table keeps its rowid: SQLite appends to a rowid table without
-- rebalancing, where a table stored by its id (tried) splits like an index.
CREATE TABLE jobs_rebuilt (
    id           TEXT PRIMARY KEY,
    kind         TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('pending', 'running', 'succeeded', 'dead')),
    -- Attempts started so far (a claim counts one, even if the worker then crashed).
    attempts     INTEGER NOT NULL DEFAULT 0,
    run_at       TEXT    NOT NULL,
    -- While running: when the claim expires and another worker may take the job.
    lease_until  TEXT,
    last_error   TEXT,
    -- At most one job per key (e.g. one ticket-age check per tab sent to the kitchen).
    dedupe_key   TEXT,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    traceparent  TEXT
);
INSERT INTO jobs_rebuilt (id, kind, payload, state, attempts, run_at, lease_until, last_error, dedupe_key,
                        created_at, updated_at, traceparent)
SELECT id, kind, payload, state, attempts, run_at, lease_until, last_error, dedupe_key,
       created_at, updated_at, traceparent
FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_rebuilt RENAME TO jobs;
CREATE UNIQUE INDEX jobs_once ON jobs (dedupe_key) WHERE dedupe_key IS NOT NULL;
CREATE INDEX jobs_due ON jobs (state, run_at);
