-- Crema core schema: shop settings, menu, orders, status history, outbox, idempotency.
-- Ids are UUID text; money is integer minor units; times are RFC 3339 UTC text.

CREATE TABLE shop_settings (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    name          TEXT    NOT NULL,
    currency      TEXT    NOT NULL,
    tax_rate_bps  INTEGER NOT NULL CHECK (tax_rate_bps BETWEEN 0 AND 10000),
    tax_mode      TEXT    NOT NULL CHECK (tax_mode IN ('exclusive', 'inclusive')),
    menu_version  INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE categories (
    id        TEXT PRIMARY KEY,
    name      TEXT    NOT NULL,
    position  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE items (
    id            TEXT PRIMARY KEY,
    category_id   TEXT    NOT NULL REFERENCES categories (id) ON DELETE RESTRICT,
    name          TEXT    NOT NULL,
    price_cents   INTEGER NOT NULL CHECK (price_cents >= 0),
    available     INTEGER NOT NULL DEFAULT 1,
    prep_seconds  INTEGER NOT NULL DEFAULT 120,
    position      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX items_by_category ON items (category_id);

CREATE TABLE modifier_groups (
    id          TEXT PRIMARY KEY,
    name        TEXT    NOT NULL,
    min_choices INTEGER NOT NULL CHECK (min_choices >= 0),
    max_choices INTEGER NOT NULL CHECK (max_choices >= 1 AND max_choices >= min_choices),
    position    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE modifier_options (
    id                 TEXT PRIMARY KEY,
    group_id           TEXT    NOT NULL REFERENCES modifier_groups (id) ON DELETE CASCADE,
    name               TEXT    NOT NULL,
    price_delta_cents  INTEGER NOT NULL DEFAULT 0,
    available          INTEGER NOT NULL DEFAULT 1,
    position           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX options_by_group ON modifier_options (group_id);

CREATE TABLE item_modifier_groups (
    item_id   TEXT    NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    group_id  TEXT    NOT NULL REFERENCES modifier_groups (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    PRIMARY KEY (item_id, group_id)
);
CREATE INDEX item_groups_by_group ON item_modifier_groups (group_id);

-- Ticket numbers restart at 1 every business day.
CREATE TABLE ticket_counters (
    business_date  TEXT PRIMARY KEY,
    last_number    INTEGER NOT NULL
);

CREATE TABLE orders (
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
    UNIQUE (business_date, ticket_number)
);
CREATE INDEX orders_by_created ON orders (created_at DESC, id DESC);
CREATE INDEX orders_by_status ON orders (status, created_at DESC);

-- Lines snapshot the item's name and price (and the chosen options, as JSON) at order time.
CREATE TABLE order_lines (
    id                TEXT PRIMARY KEY,
    order_id          TEXT    NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    item_id           TEXT    NOT NULL,
    name              TEXT    NOT NULL,
    quantity          INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
    unit_price_cents  INTEGER NOT NULL,
    options           TEXT    NOT NULL,
    note              TEXT,
    status            TEXT    NOT NULL,
    line_total_cents  INTEGER NOT NULL
);
CREATE INDEX order_lines_by_order ON order_lines (order_id, position);

CREATE TABLE order_status_history (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id     TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    from_status  TEXT,
    to_status    TEXT NOT NULL,
    at           TEXT NOT NULL,
    reason       TEXT
);
CREATE INDEX status_history_by_order ON order_status_history (order_id, id);

-- The transactional outbox: the shop's one event log. `sequence` is the global order.
CREATE TABLE outbox (
    sequence     INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id     TEXT NOT NULL UNIQUE,
    event_type   TEXT NOT NULL,
    subject      TEXT,
    time         TEXT NOT NULL,
    data         TEXT NOT NULL,
    traceparent  TEXT,
    request_id   TEXT
);

-- A retried create returns the first answer; `scope` separates endpoints.
CREATE TABLE idempotency_keys (
    scope         TEXT    NOT NULL,
    key           TEXT    NOT NULL,
    request_hash  TEXT    NOT NULL,
    status_code   INTEGER NOT NULL,
    response      TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    PRIMARY KEY (scope, key)
);
