-- Bench only (--warm-os-cache): pg_prewarm ships with PostgreSQL's contrib.
CREATE EXTENSION IF NOT EXISTS pg_prewarm
