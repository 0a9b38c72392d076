-- Tabs (docs/payments.md): whether an unpaid order goes to the kitchen at once, how far a
-- gateway card's tip may be raised before capture, and each order held from the kitchen
-- until it is paid. A tab paid in parts keeps its parts in `orders.tenders`.
ALTER TABLE shop_settings ADD COLUMN kitchen_before_paid INTEGER NOT NULL DEFAULT 1;
ALTER TABLE shop_settings ADD COLUMN tip_adjust_limit_bps INTEGER NOT NULL DEFAULT 2500
    CHECK (tip_adjust_limit_bps BETWEEN 0 AND 10000);
ALTER TABLE orders ADD COLUMN kitchen_held INTEGER NOT NULL DEFAULT 0;
