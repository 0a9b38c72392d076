-- A placement's saved answer is the order's JSON, and the `order.placed` event written in the
-- same transaction carries that very text (`data.order`, byte for byte): keeping it twice cost
-- about 1.7 KB of every order's commit, the largest row after the event itself, on the writer's
-- serial path (docs/performance.md, round nine). Such an answer now names its event
-- (`event_sequence`) instead of holding a copy (`response` NULL); every other answer keeps its
-- text. Exactly one of the two is set. The outbox's pruning keeps an event while an answer
-- names it (`idempotency_keys_by_event`), so an answer is readable for as long as it is kept.
-- The table is rebuilt (SQLite cannot drop `NOT NULL`), its ids kept: the server's index of
-- keys (server/src/store/idempotency/index.rs) names rows by id.
CREATE TABLE idempotency_answers (
    id              INTEGER PRIMARY KEY,
    scope           TEXT    NOT NULL,
    key             TEXT    NOT NULL,
    request_hash    TEXT    NOT NULL,
    status_code     INTEGER NOT NULL,
    response        TEXT,
    created_at      TEXT    NOT NULL,
    event_sequence  INTEGER,
    CHECK ((response IS NULL) <> (event_sequence IS NULL))
);
INSERT INTO idempotency_answers (id, scope, key, request_hash, status_code, response, created_at)
SELECT id, scope, key, request_hash, status_code, response, created_at FROM idempotency_keys ORDER BY id;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_answers RENAME TO idempotency_keys;
CREATE INDEX idempotency_keys_by_time ON idempotency_keys (created_at, scope, key);
CREATE INDEX idempotency_keys_by_event ON idempotency_keys (event_sequence) WHERE event_sequence IS NOT NULL;
