-- Security (wave 2): enrolled terminals, a tamper-evident audit log.

-- Terminals a manager enrolled: a till tablet, the kitchen screen, the desktop app, and
-- (with offline sync) a paired crema-server. A terminal proves itself with a secret it got
-- once, by redeeming a one-time pairing code; only hashes are stored.
CREATE TABLE terminals (
    id                 TEXT PRIMARY KEY,
    name               TEXT NOT NULL,
    -- Short, unique, for ticket numbers made offline (`A-17`).
    label              TEXT NOT NULL UNIQUE,
    -- SHA-256 of the pending one-time pairing code, until it is redeemed or expires.
    code_hash          TEXT UNIQUE,
    code_expires_at    TEXT,
    -- SHA-256 of the terminal's secret, once paired.
    secret_hash        TEXT,
    paired_at          TEXT,
    last_seen_at       TEXT,
    revoked_at         TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);

-- The audit log becomes a hash chain: each row holds the hash of the one before and its
-- own (SHA-256 over the previous hash and the row's fields), so a changed, removed or
-- inserted row breaks every link after it. `crema-server audit verify` checks it.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;

-- Rows written before the chain get their links once, at the next start; after that no
-- column of a linked row may change.
DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN OLD.hash IS NOT NULL
  OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.staff_id IS NOT OLD.staff_id
  OR NEW.action IS NOT OLD.action OR NEW.subject IS NOT OLD.subject
  OR NEW.detail IS NOT OLD.detail OR NEW.request_id IS NOT OLD.request_id
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- Every sale now writes an audit row, so the log grows with the orders: `at` follows `id`
-- (rows are appended in time order), so time filters walk the primary key instead of
-- paying for a second index on every insert.
DROP INDEX audit_by_time;
