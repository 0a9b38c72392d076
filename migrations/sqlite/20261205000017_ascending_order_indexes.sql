-- The two indexes on when orders were placed, in ascending order. A new order sorts last, so
-- it lands at the end of each index, where SQLite appends without rebalancing; in descending
-- order it sorted first, and every batch split and rewrote pages at the front of both
-- (≈ 9 of the ≈ 83 pages a busy commit wrote, for ≈ 1 KB of entries). Readers walk an index
-- either way: `ORDER BY created_at DESC` reads this one backwards.
DROP INDEX orders_by_created;
CREATE INDEX orders_by_created ON orders (created_at, id);
DROP INDEX orders_by_status;
CREATE INDEX orders_by_status ON orders (status, created_at);
