-- Card payments: the terminal's approval code or the gateway's authorization reference, and
-- what has been refunded so far (partial refunds add up).
ALTER TABLE orders ADD COLUMN payment_reference text;
ALTER TABLE orders ADD COLUMN refunded_cents bigint NOT NULL DEFAULT 0;
