-- Optional stock counts (NULL: not counted) and what each order reserved, to release on cancel.

ALTER TABLE items ADD COLUMN stock bigint CHECK (stock IS NULL OR stock >= 0);
ALTER TABLE modifier_options ADD COLUMN stock bigint CHECK (stock IS NULL OR stock >= 0);

CREATE TABLE stock_reservations (
    order_id   uuid    NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    kind       text    NOT NULL CHECK (kind IN ('item', 'option')),
    target_id  uuid    NOT NULL,
    quantity   bigint  NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, kind, target_id)
);
