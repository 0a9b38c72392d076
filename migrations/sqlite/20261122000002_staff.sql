-- Staff sign-in, sessions and the audit log.

CREATE TABLE staff (
    id          TEXT PRIMARY KEY,
    name        TEXT    NOT NULL,
    role        TEXT    NOT NULL CHECK (role IN ('cashier', 'barista', 'manager')),
    active      INTEGER NOT NULL DEFAULT 1,
    -- HMAC-SHA256 of the PIN under the database's pepper: finds the person, keeps PINs unique.
    pin_lookup  TEXT    NOT NULL UNIQUE,
    -- argon2id PHC string: verifies the PIN.
    pin_hash    TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

-- Secrets the server makes for itself on first start (the PIN pepper).
CREATE TABLE secrets (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    staff_id      TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX sessions_by_staff ON sessions (staff_id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    staff_id    TEXT,
    action      TEXT NOT NULL,
    subject     TEXT,
    detail      TEXT NOT NULL,
    request_id  TEXT
);
CREATE INDEX audit_by_time ON audit_log (at);
CREATE INDEX audit_by_staff ON audit_log (staff_id, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- Who caused what.
ALTER TABLE orders ADD COLUMN placed_by TEXT;
ALTER TABLE outbox ADD COLUMN staff_id TEXT;
