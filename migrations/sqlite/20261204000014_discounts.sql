-- Discounts and split tenders (docs/payments.md). The reasons managers keep: which roles may give each alone
-- (a JSON array of role names) and the most it takes off alone, in basis points of what it
-- applies to; beyond that a manager approves with their PIN at the till.
CREATE TABLE discount_reasons (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    roles      TEXT NOT NULL DEFAULT '[]',
    limit_bps  INTEGER NOT NULL CHECK (limit_bps BETWEEN 0 AND 10000),
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Each order's discounts as applied (reason and its name then, the line, percentage,
-- amount, the approving manager): a JSON array; `discount_cents` stays their sum.
ALTER TABLE orders ADD COLUMN discounts TEXT NOT NULL DEFAULT '[]';

-- The tenders of an order paid by several at once (cash and a card, two cards, split evenly):
-- a JSON array of method, part, tip, tendered, change and the card's reference. Empty for an
-- order paid by one tender (its `payment_method`, `tendered_cents` and `change_due_cents`).
ALTER TABLE orders ADD COLUMN tenders TEXT NOT NULL DEFAULT '[]';
