-- Tabs (see ../sqlite): the shop's tab and tip-adjust settings, and orders held from the
-- kitchen until paid.
ALTER TABLE shop_settings ADD COLUMN kitchen_before_paid boolean NOT NULL DEFAULT true;
ALTER TABLE shop_settings ADD COLUMN tip_adjust_limit_bps bigint NOT NULL DEFAULT 2500
    CHECK (tip_adjust_limit_bps BETWEEN 0 AND 10000);
ALTER TABLE orders ADD COLUMN kitchen_held boolean NOT NULL DEFAULT false;
