-- SQLite keeps a placement's saved answer in the `order.placed` event written with it
-- (`event_sequence`, `response` NULL; see migrations/sqlite/…_idempotency_answers_in_their_events.sql).
-- PostgreSQL keeps every answer's text — its writer is bound by round trips, not by the bytes
-- of a commit — and has the same columns so the two schemas stay alike: `event_sequence` is
-- never set here, and a shop moved from SQLite brings its answers as text
-- (`crema-server migrate-store` reads each from its event). The outbox's pruning asks the same
-- question of both (is an answer kept in this event?), through the same index.
ALTER TABLE idempotency_keys ALTER COLUMN response DROP NOT NULL;
ALTER TABLE idempotency_keys ADD COLUMN event_sequence bigint;
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_response_or_event
    CHECK ((response IS NULL) <> (event_sequence IS NULL));
CREATE INDEX idempotency_keys_by_event ON idempotency_keys (event_sequence) WHERE event_sequence IS NOT NULL;
