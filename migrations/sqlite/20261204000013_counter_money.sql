-- The counter's money (docs/payments.md). Receipts: what every receipt says above and
-- below the order, the shop's receipt printer, and each print job's attempt at the printer,
-- so a retry never prints a receipt twice.
ALTER TABLE shop_settings ADD COLUMN receipt_header TEXT NOT NULL DEFAULT '';
ALTER TABLE shop_settings ADD COLUMN receipt_footer TEXT NOT NULL DEFAULT '';
-- `tcp://host:port`; NULL: none set by a manager.
ALTER TABLE shop_settings ADD COLUMN receipt_printer TEXT;

-- One row per print job that reached a printer: `sending` is written once the printer
-- answered and before the first byte goes out, `printed` once every byte went. A job that
-- finds its own row still `sending` was cut off mid-print and does not print again: the row
-- becomes `uncertain` and staff reprint from the order if the paper shows nothing.
CREATE TABLE printouts (
    job_id      TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL,
    printer     TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('sending', 'printed', 'uncertain')),
    started_at  TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX printouts_by_order ON printouts (order_id);

-- A card refund whose job died may have been paid by the gateway all the same (its answer
-- lost): until a manager says which, its amount counts against what can still be refunded.
-- One row per such refund a manager resolved: `paid` 1 when the gateway did give it back
-- (the order then records it), 0 when it did not. A resolved refund is never retried.
CREATE TABLE refund_resolutions (
    job_id      TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    paid        INTEGER NOT NULL CHECK (paid IN (0, 1)),
    reason      TEXT NOT NULL,
    staff_id    TEXT,
    at          TEXT NOT NULL
);
CREATE INDEX refund_resolutions_by_order ON refund_resolutions (order_id);

-- The cash drawer: one per business day, opened with a float, closed with what was counted.
-- At close the day's Z report is kept as it was (JSON), beside what was expected and counted.
CREATE TABLE drawers (
    id             TEXT PRIMARY KEY,
    business_date  TEXT    NOT NULL UNIQUE,
    float_cents    INTEGER NOT NULL CHECK (float_cents >= 0),
    opened_at      TEXT    NOT NULL,
    opened_by      TEXT,
    closed_at      TEXT,
    closed_by      TEXT,
    expected_cents INTEGER,
    counted_cents  INTEGER CHECK (counted_cents IS NULL OR counted_cents >= 0),
    z_report       TEXT
);

-- Cash paid into or out of the drawer other than by a sale, with why.
CREATE TABLE drawer_movements (
    id            TEXT PRIMARY KEY,
    drawer_id     TEXT    NOT NULL REFERENCES drawers (id),
    kind          TEXT    NOT NULL CHECK (kind IN ('paid_in', 'paid_out')),
    amount_cents  INTEGER NOT NULL CHECK (amount_cents > 0),
    reason        TEXT    NOT NULL,
    staff_id      TEXT,
    at            TEXT    NOT NULL
);
CREATE INDEX drawer_movements_by_drawer ON drawer_movements (drawer_id, at);
