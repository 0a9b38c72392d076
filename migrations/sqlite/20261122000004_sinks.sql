-- Sinks: where the outbox is forwarded (signed webhooks, Kafka), each with its own cursor.

CREATE TABLE sinks (
    id                    TEXT PRIMARY KEY,
    kind                  TEXT    NOT NULL CHECK (kind IN ('webhook', 'kafka')),
    name                  TEXT    NOT NULL UNIQUE,
    -- webhook: the endpoint URL; kafka: the bootstrap brokers, `host:port,host:port`.
    target                TEXT    NOT NULL,
    -- webhook: the Standard Webhooks secret, `whsec_<base64>`.
    secret                TEXT,
    -- kafka: the topic.
    topic                 TEXT,
    -- JSON array of event types (or prefixes ending in `.`); empty = every event.
    event_types           TEXT    NOT NULL DEFAULT '[]',
    active                INTEGER NOT NULL DEFAULT 1,
    -- Last outbox sequence delivered (or dead-lettered, or filtered out).
    cursor                INTEGER NOT NULL DEFAULT 0,
    -- Attempts at the event after the cursor that the endpoint rejected.
    rejections            INTEGER NOT NULL DEFAULT 0,
    -- Consecutive failures to reach the endpoint (down, 5xx, timeout): the circuit breaker.
    consecutive_failures  INTEGER NOT NULL DEFAULT 0,
    next_attempt_at       TEXT,
    last_error            TEXT,
    created_at            TEXT    NOT NULL,
    updated_at            TEXT    NOT NULL,
    CHECK ((kind = 'webhook' AND secret IS NOT NULL) OR (kind = 'kafka' AND topic IS NOT NULL))
);

CREATE TABLE sink_dead_letters (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    sink_id      TEXT    NOT NULL REFERENCES sinks (id) ON DELETE CASCADE,
    sequence     INTEGER NOT NULL,
    event_id     TEXT    NOT NULL,
    error        TEXT    NOT NULL,
    attempts     INTEGER NOT NULL,
    at           TEXT    NOT NULL,
    replayed_at  TEXT
);
CREATE INDEX dead_letters_by_sink ON sink_dead_letters (sink_id, id);
