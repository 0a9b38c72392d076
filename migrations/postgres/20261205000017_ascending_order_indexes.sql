-- As on SQLite: the two indexes on when orders were placed, in ascending order, so that a new
-- order is appended at the end of each (PostgreSQL's B-tree also has a fast path for inserts
-- at its rightmost leaf). `ORDER BY created_at DESC` scans them backwards.
DROP INDEX orders_by_created;
CREATE INDEX orders_by_created ON orders (created_at, id);
DROP INDEX orders_by_status;
CREATE INDEX orders_by_status ON orders (status, created_at);
