-- The ticket ages at which the kitchen display turns a ticket amber, then red (managers
-- change them on the settings screen).
ALTER TABLE shop_settings ADD COLUMN ticket_warn_seconds INTEGER NOT NULL DEFAULT 180;
ALTER TABLE shop_settings ADD COLUMN ticket_late_seconds INTEGER NOT NULL DEFAULT 360;
