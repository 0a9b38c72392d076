-- The W3C traceparent of the request (or job) that queued a job, so its run continues that
-- trace (docs/observability.md). NULL when traces are not exported.
ALTER TABLE jobs ADD COLUMN traceparent TEXT;
