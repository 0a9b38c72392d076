-- The ticket ages at which the kitchen display turns a ticket amber, then red.
ALTER TABLE shop_settings ADD COLUMN ticket_warn_seconds bigint NOT NULL DEFAULT 180;
ALTER TABLE shop_settings ADD COLUMN ticket_late_seconds bigint NOT NULL DEFAULT 360;
