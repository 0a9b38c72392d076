-- Durable jobs: steps the shop was promised, run in process, surviving crashes.

CREATE TABLE jobs (
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
    -- At most one job per key (e.g. one SLA check per order).
    dedupe_key   TEXT UNIQUE,
    created_at   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, run_at);
CREATE INDEX jobs_by_kind ON jobs (kind, state);
