-- Kitchen ticket printers, one per station (see ../sqlite).
ALTER TABLE shop_settings ADD COLUMN kitchen_printers jsonb NOT NULL DEFAULT '[]';
