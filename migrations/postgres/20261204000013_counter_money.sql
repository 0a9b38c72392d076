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
