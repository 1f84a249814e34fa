-- Bench only (--warm-os-cache): every block of the relations a refresh reads or writes, read
-- into the operating system's page cache ('read' goes through a private buffer, so shared
-- buffers keep what the previous rounds left in them).
SELECT sum(pg_prewarm(c.oid, 'read'))
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('freshdesk', 'freshdesk_raw')
  AND c.relkind IN ('r', 'i')
