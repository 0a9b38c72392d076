-- Managers with an email address get the end-of-day summary.
ALTER TABLE staff ADD COLUMN email TEXT;
