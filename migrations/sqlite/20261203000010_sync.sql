-- Offline terminals that sync with a hub (docs/sync.md).

-- A terminal numbers its own orders with its label (`A-17`); the hub's own orders have none,
-- so a ticket is unique per day *and label*. SQLite cannot change a table's UNIQUE constraint,
-- so the table is rebuilt. Foreign keys cannot be switched off inside the migration's
-- transaction, and dropping the old table cascades to its children: they are kept aside and
-- put back once the new table carries the name their references use.
CREATE TEMP TABLE kept_lines AS SELECT * FROM order_lines;
CREATE TEMP TABLE kept_history AS SELECT * FROM order_status_history;
CREATE TEMP TABLE kept_reservations AS SELECT * FROM stock_reservations;
CREATE TABLE orders_rebuilt (
    id                TEXT PRIMARY KEY,
    business_date     TEXT    NOT NULL,
    ticket_number     INTEGER NOT NULL,
    customer_name     TEXT    NOT NULL,
    customer_email    TEXT,
    status            TEXT    NOT NULL,
    payment_status    TEXT    NOT NULL,
    currency          TEXT    NOT NULL,
    subtotal_cents    INTEGER NOT NULL,
    discount_cents    INTEGER NOT NULL,
    tax_cents         INTEGER NOT NULL,
    tip_cents         INTEGER NOT NULL,
    total_cents       INTEGER NOT NULL,
    payment_method    TEXT,
    tendered_cents    INTEGER,
    change_due_cents  INTEGER,
    version           INTEGER NOT NULL,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    placed_by         TEXT,
    payment_reference TEXT,
    refunded_cents    INTEGER NOT NULL DEFAULT 0,
    ticket_prefix     TEXT    NOT NULL DEFAULT '',
    UNIQUE (business_date, ticket_prefix, ticket_number)
);
INSERT INTO orders_rebuilt (id, business_date, ticket_number, customer_name, customer_email, status, payment_status,
    currency, subtotal_cents, discount_cents, tax_cents, tip_cents, total_cents, payment_method, tendered_cents,
    change_due_cents, version, created_at, updated_at, placed_by, payment_reference, refunded_cents)
SELECT id, business_date, ticket_number, customer_name, customer_email, status, payment_status,
    currency, subtotal_cents, discount_cents, tax_cents, tip_cents, total_cents, payment_method, tendered_cents,
    change_due_cents, version, created_at, updated_at, placed_by, payment_reference, refunded_cents
FROM orders;
DROP TABLE orders;
ALTER TABLE orders_rebuilt RENAME TO orders;
INSERT INTO order_lines SELECT * FROM kept_lines;
INSERT INTO order_status_history SELECT * FROM kept_history;
INSERT INTO stock_reservations SELECT * FROM kept_reservations;
DROP TABLE kept_lines;
DROP TABLE kept_history;
DROP TABLE kept_reservations;
CREATE INDEX orders_by_created ON orders (created_at DESC, id DESC);
CREATE INDEX orders_by_status ON orders (status, created_at DESC);

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
