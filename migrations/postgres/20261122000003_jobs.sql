-- Durable jobs: steps the shop was promised, surviving crashes. Several server instances
-- claim them with FOR UPDATE SKIP LOCKED and a lease.

CREATE TABLE jobs (
    id           uuid PRIMARY KEY,
    kind         text        NOT NULL,
    payload      jsonb       NOT NULL,
    state        text        NOT NULL CHECK (state IN ('pending', 'running', 'succeeded', 'dead')),
    -- Attempts started so far (a claim counts one, even if the worker then crashed).
    attempts     bigint     NOT NULL DEFAULT 0,
    run_at       timestamptz NOT NULL,
    -- While running: when the claim expires and another worker may take the job.
    lease_until  timestamptz,
    last_error   text,
    -- At most one job per key (e.g. one SLA check per order).
    dedupe_key   text UNIQUE,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, run_at);
CREATE INDEX jobs_by_kind ON jobs (kind, state);
