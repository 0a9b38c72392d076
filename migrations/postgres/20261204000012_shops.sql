-- Several shops in one database. Every row carries its shop (`shop_id`), and row-level
-- security shows a connection only the rows of the shop it names in the `crema.shop`
-- setting, which Crema sets on each of its connections from CREMA_SHOP_ID. A connection that
-- names no shop sees no rows and can write none. Rows already here belong to the shop that
-- runs this migration. (Roles with SUPERUSER or BYPASSRLS are not held by the policies:
-- Crema warns at start when it connects as one.)
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['shop_settings', 'categories', 'items', 'modifier_groups', 'modifier_options',
        'item_modifier_groups', 'ticket_counters', 'orders', 'order_lines', 'order_status_history', 'outbox',
        'outbox_head', 'idempotency_keys', 'staff', 'secrets', 'sessions', 'audit_log', 'jobs', 'sinks',
        'sink_dead_letters', 'stock_reservations', 'terminals', 'sync_commands', 'sync_applied', 'sync_state']
    LOOP
        EXECUTE format('ALTER TABLE %I ADD COLUMN shop_id text NOT NULL DEFAULT current_setting(''crema.shop'', true)', t);
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY shop_rows ON %I USING (shop_id = current_setting(''crema.shop'', true))
                        WITH CHECK (shop_id = current_setting(''crema.shop'', true))', t);
    END LOOP;
END
$$;

-- What was unique in the shop is unique per shop.
ALTER TABLE shop_settings DROP CONSTRAINT shop_settings_pkey, ADD PRIMARY KEY (shop_id, id);
ALTER TABLE ticket_counters DROP CONSTRAINT ticket_counters_pkey, ADD PRIMARY KEY (shop_id, business_date);
ALTER TABLE orders DROP CONSTRAINT orders_business_date_ticket_prefix_ticket_number_key,
    ADD UNIQUE (shop_id, business_date, ticket_prefix, ticket_number);
ALTER TABLE outbox DROP CONSTRAINT outbox_pkey, ADD PRIMARY KEY (shop_id, sequence);
ALTER TABLE outbox_head DROP CONSTRAINT outbox_head_pkey, ADD PRIMARY KEY (shop_id, id);
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey, ADD PRIMARY KEY (shop_id, scope, key);
ALTER TABLE staff DROP CONSTRAINT staff_pin_lookup_key, ADD UNIQUE (shop_id, pin_lookup);
ALTER TABLE secrets DROP CONSTRAINT secrets_pkey, ADD PRIMARY KEY (shop_id, name);
ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey, ADD PRIMARY KEY (shop_id, id);
ALTER TABLE jobs DROP CONSTRAINT jobs_dedupe_key_key, ADD UNIQUE (shop_id, dedupe_key);
ALTER TABLE sinks DROP CONSTRAINT sinks_name_key, ADD UNIQUE (shop_id, name);
ALTER TABLE terminals DROP CONSTRAINT terminals_label_key, ADD UNIQUE (shop_id, label);
ALTER TABLE terminals DROP CONSTRAINT terminals_code_hash_key, ADD UNIQUE (shop_id, code_hash);
ALTER TABLE sync_state DROP CONSTRAINT sync_state_pkey, ADD PRIMARY KEY (shop_id, id);
