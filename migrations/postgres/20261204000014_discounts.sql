-- Discounts and split tenders (see ../sqlite): the reasons managers keep, each order's discounts
-- as applied, and the tenders of an order paid by several.
CREATE TABLE discount_reasons (
    id         uuid        PRIMARY KEY,
    name       text        NOT NULL,
    roles      jsonb       NOT NULL DEFAULT '[]',
    limit_bps  bigint      NOT NULL CHECK (limit_bps BETWEEN 0 AND 10000),
    active     boolean     NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    shop_id    text        NOT NULL DEFAULT current_setting('crema.shop', true),
    UNIQUE (shop_id, name)
);
ALTER TABLE discount_reasons ENABLE ROW LEVEL SECURITY;
ALTER TABLE discount_reasons FORCE ROW LEVEL SECURITY;
CREATE POLICY shop_rows ON discount_reasons USING (shop_id = current_setting('crema.shop', true))
    WITH CHECK (shop_id = current_setting('crema.shop', true));

ALTER TABLE orders ADD COLUMN discounts jsonb NOT NULL DEFAULT '[]';
ALTER TABLE orders ADD COLUMN tenders jsonb NOT NULL DEFAULT '[]';
