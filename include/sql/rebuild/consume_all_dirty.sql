-- Everything is derived again, so every mark visible now is satisfied; marks of loads still
-- in flight stay for the next refresh.
DELETE FROM freshdesk_raw.dirty_tickets;
DELETE FROM freshdesk_raw.dirty_groups;
