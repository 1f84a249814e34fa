-- The tickets whose time entries this run reads by ticket (V017). Deleted in the run's own
-- transaction: a failed run puts them back by rolling back, and a concurrent run waits for
-- this one and then finds them gone.
DELETE FROM freshdesk_raw.time_entries_to_reread
RETURNING ticket_id
