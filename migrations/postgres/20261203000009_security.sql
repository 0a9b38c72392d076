-- Security (wave 2): enrolled terminals, a tamper-evident audit log.

CREATE TABLE terminals (
    id                 uuid PRIMARY KEY,
    name               text        NOT NULL,
    -- Short, unique, for ticket numbers made offline (`A-17`).
    label              text        NOT NULL UNIQUE,
    -- SHA-256 of the pending one-time pairing code, until it is redeemed or expires.
    code_hash          text UNIQUE,
    code_expires_at    timestamptz,
    -- SHA-256 of the terminal's secret, once paired.
    secret_hash        text,
    paired_at          timestamptz,
    last_seen_at       timestamptz,
    revoked_at         timestamptz,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);

-- The audit log becomes a hash chain (see ../sqlite): each row holds the hash of the one
-- before and its own; rows written before the chain get their links once, then no column of
-- a linked row may change.
ALTER TABLE audit_log ADD COLUMN prev_hash text;
ALTER TABLE audit_log ADD COLUMN hash text;

DROP TRIGGER audit_log_no_update ON audit_log;
CREATE FUNCTION audit_log_link_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.hash IS NOT NULL
       OR NEW.id IS DISTINCT FROM OLD.id OR NEW.at IS DISTINCT FROM OLD.at
       OR NEW.staff_id IS DISTINCT FROM OLD.staff_id OR NEW.action IS DISTINCT FROM OLD.action
       OR NEW.subject IS DISTINCT FROM OLD.subject OR NEW.detail IS DISTINCT FROM OLD.detail
       OR NEW.request_id IS DISTINCT FROM OLD.request_id THEN
        RAISE EXCEPTION 'the audit log is append-only';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_link_only();

-- Time filters walk the primary key (rows are appended in time order).
DROP INDEX audit_by_time;
