-- TRUNCATE rather than DELETE: everything is rewritten anyway, truncating is fast and leaves
-- no dead rows. Readers wait for the commit (ACCESS EXCLUSIVE) and then see the new tables.
TRUNCATE freshdesk.contacts, freshdesk.queue_interval_volume
