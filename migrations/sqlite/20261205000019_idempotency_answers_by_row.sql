-- Saved idempotency answers kept in the order they were written, found through the server's
-- own index of their keys (server/src/store/idempotency/index.rs) instead of a B-tree over
-- (scope, key). Clients' keys are often random (UUIDv4): each new answer landed on a random
-- leaf of that B-tree, and every COMMIT wrote a whole page per order placed with such a key —
-- the largest single cost left on placement's serial path (docs/performance.md, round
-- seven). Rows are now appended by `id`; the index by time (which also serves pruning and the
-- server's reading of the keys at start-up) is appended to as well. One server per database
-- (`<database>.lock`) keeps the in-memory index whole: it is read from this table when the
-- server opens the file, and the server is the only writer.
CREATE TABLE idempotency_answers (
    id            INTEGER PRIMARY KEY,
    scope         TEXT    NOT NULL,
    key           TEXT    NOT NULL,
    request_hash  TEXT    NOT NULL,
    status_code   INTEGER NOT NULL,
    response      TEXT    NOT NULL,
    created_at    TEXT    NOT NULL
);
INSERT INTO idempotency_answers (scope, key, request_hash, status_code, response, created_at)
SELECT scope, key, request_hash, status_code, response, created_at
FROM idempotency_keys
ORDER BY created_at, scope, key;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_answers RENAME TO idempotency_keys;
CREATE INDEX idempotency_keys_by_time ON idempotency_keys (created_at, scope, key);
