-- Optional stock counts (NULL: not counted) and what each order reserved, to release on cancel.

ALTER TABLE items ADD COLUMN stock INTEGER CHECK (stock IS NULL OR stock >= 0);
ALTER TABLE modifier_options ADD COLUMN stock INTEGER CHECK (stock IS NULL OR stock >= 0);

CREATE TABLE stock_reservations (
    order_id   TEXT    NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('item', 'option')),
    target_id  TEXT    NOT NULL,
    quantity   INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, kind, target_id)
);
