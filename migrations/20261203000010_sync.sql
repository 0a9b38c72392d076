-- Offline terminals that sync with a hub (docs/sync.md).

-- A terminal numbers its own orders with its label (`A-17`); the hub's own orders have none.
ALTER TABLE orders ADD COLUMN ticket_prefix TEXT NOT NULL DEFAULT '';

-- On a terminal: every command written here first, in the transaction of its effect, and
-- pushed to the hub in `position` order until it is answered.
CREATE TABLE sync_commands (
    position        INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT    NOT NULL UNIQUE,
    order_id        TEXT,
    body            TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'rejected')),
    hub_sequence    INTEGER,
    reason          TEXT,
    detail          TEXT,
    answered_at     TEXT,
    acknowledged_at TEXT
);
CREATE INDEX sync_commands_by_state ON sync_commands (state, position);
CREATE INDEX sync_commands_by_order ON sync_commands (order_id, state);

-- On the hub: each pushed command's outcome, so a retry gets the same answer and applies nothing.
CREATE TABLE sync_applied (
    command_id   TEXT PRIMARY KEY,
    terminal_id  TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    applied_at   TEXT NOT NULL
);

-- On a terminal: where it follows the hub's log, and what it last heard.
CREATE TABLE sync_state (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    hub_url           TEXT    NOT NULL,
    terminal_id       TEXT    NOT NULL,
    label             TEXT    NOT NULL,
    pulled_sequence   INTEGER NOT NULL DEFAULT 0,
    last_pushed_at    TEXT,
    last_pulled_at    TEXT,
    revoked_at        TEXT
);
