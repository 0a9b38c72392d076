-- The counter's money (see ../sqlite). Receipts: header, footer and printer in the shop's settings; each print
-- job's attempt at the printer, so a retry never prints a receipt twice.
ALTER TABLE shop_settings ADD COLUMN receipt_header text NOT NULL DEFAULT '';
ALTER TABLE shop_settings ADD COLUMN receipt_footer text NOT NULL DEFAULT '';
ALTER TABLE shop_settings ADD COLUMN receipt_printer text;

CREATE TABLE printouts (
    job_id      uuid        NOT NULL,
    order_id    uuid        NOT NULL,
    printer     text        NOT NULL,
    state       text        NOT NULL CHECK (state IN ('sending', 'printed', 'uncertain')),
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    shop_id     text        NOT NULL DEFAULT current_setting('crema.shop', true),
    PRIMARY KEY (shop_id, job_id)
);
CREATE INDEX printouts_by_order ON printouts (order_id);
ALTER TABLE printouts ENABLE ROW LEVEL SECURITY;
ALTER TABLE printouts FORCE ROW LEVEL SECURITY;
CREATE POLICY shop_rows ON printouts USING (shop_id = current_setting('crema.shop', true))
    WITH CHECK (shop_id = current_setting('crema.shop', true));

-- Card refunds whose job died, resolved by a manager (see ../sqlite).
CREATE TABLE refund_resolutions (
    job_id       uuid        NOT NULL,
    order_id     uuid        NOT NULL,
    amount_cents bigint      NOT NULL,
    paid         boolean     NOT NULL,
    reason       text        NOT NULL,
    staff_id     uuid,
    at           timestamptz NOT NULL,
    shop_id      text        NOT NULL DEFAULT current_setting('crema.shop', true),
    PRIMARY KEY (shop_id, job_id)
);
CREATE INDEX refund_resolutions_by_order ON refund_resolutions (order_id);
ALTER TABLE refund_resolutions ENABLE ROW LEVEL SECURITY;
ALTER TABLE refund_resolutions FORCE ROW LEVEL SECURITY;
CREATE POLICY shop_rows ON refund_resolutions USING (shop_id = current_setting('crema.shop', true))
    WITH CHECK (shop_id = current_setting('crema.shop', true));

-- The cash drawer and its movements (see ../sqlite).
CREATE TABLE drawers (
    id             uuid        PRIMARY KEY,
    business_date  text        NOT NULL CHECK (business_date ~ '^\d{4}-\d{2}-\d{2}$'),
    float_cents    bigint      NOT NULL CHECK (float_cents >= 0),
    opened_at      timestamptz NOT NULL,
    opened_by      uuid,
    closed_at      timestamptz,
    closed_by      uuid,
    expected_cents bigint,
    counted_cents  bigint CHECK (counted_cents IS NULL OR counted_cents >= 0),
    z_report       jsonb,
    shop_id        text        NOT NULL DEFAULT current_setting('crema.shop', true),
    UNIQUE (shop_id, business_date)
);

CREATE TABLE drawer_movements (
    id            uuid        PRIMARY KEY,
    drawer_id     uuid        NOT NULL REFERENCES drawers (id),
    kind          text        NOT NULL CHECK (kind IN ('paid_in', 'paid_out')),
    amount_cents  bigint      NOT NULL CHECK (amount_cents > 0),
    reason        text        NOT NULL,
    staff_id      uuid,
    at            timestamptz NOT NULL,
    shop_id       text        NOT NULL DEFAULT current_setting('crema.shop', true)
);
CREATE INDEX drawer_movements_by_drawer ON drawer_movements (drawer_id, at);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['drawers', 'drawer_movements'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY shop_rows ON %I USING (shop_id = current_setting(''crema.shop'', true))
                        WITH CHECK (shop_id = current_setting(''crema.shop'', true))', t);
    END LOOP;
END
$$;
