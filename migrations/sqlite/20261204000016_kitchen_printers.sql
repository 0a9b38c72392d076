-- Kitchen ticket printers, one per station (docs/payments.md#kitchen-tickets): a JSON array of
-- {station, printer, category_ids} a manager keeps; empty: none.
ALTER TABLE shop_settings ADD COLUMN kitchen_printers TEXT NOT NULL DEFAULT '[]';
