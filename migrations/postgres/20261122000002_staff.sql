-- Staff sign-in, sessions and the audit log.

CREATE TABLE staff (
    id          uuid PRIMARY KEY,
    name        text        NOT NULL,
    role        text        NOT NULL CHECK (role IN ('cashier', 'barista', 'manager')),
    active      boolean     NOT NULL DEFAULT true,
    -- HMAC-SHA256 of the PIN under the key file's pepper: finds the person, keeps PINs unique.
    pin_lookup  text        NOT NULL UNIQUE,
    -- argon2id PHC string: verifies the PIN.
    pin_hash    text        NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- Secrets the server makes for itself on first start.
CREATE TABLE secrets (
    name   text PRIMARY KEY,
    value  text NOT NULL
);

CREATE TABLE sessions (
    token_hash    text PRIMARY KEY,
    staff_id      uuid        NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL
);
CREATE INDEX sessions_by_staff ON sessions (staff_id);

CREATE TABLE audit_log (
    id          bigint PRIMARY KEY, -- numbered by the chain (previous id + 1), as SQLite does
    at          timestamptz NOT NULL,
    staff_id    uuid,
    action      text        NOT NULL,
    subject     text,
    detail      text        NOT NULL, -- hashed as written: kept as text, not re-serialised jsonb
    request_id  text
);
CREATE INDEX audit_by_time ON audit_log (at);
CREATE INDEX audit_by_staff ON audit_log (staff_id, at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Who caused what.
ALTER TABLE orders ADD COLUMN placed_by uuid;
ALTER TABLE outbox ADD COLUMN staff_id uuid;
