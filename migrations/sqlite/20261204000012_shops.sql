-- Several shops in one database is PostgreSQL's (see ../postgres/20261204000012_shops.sql):
-- a SQLite file holds one shop, so nothing changes here. The version exists in both folders
-- so that both dialects list the same migrations.
SELECT 1;
