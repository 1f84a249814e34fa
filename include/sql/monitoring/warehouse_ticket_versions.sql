-- The warehouse's version of the tickets Freshdesk listed.
SELECT id, updated_at, deleted, spam FROM freshdesk_raw.tickets WHERE id = ANY(%(ids)s)
