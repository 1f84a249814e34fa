-- V017: Freshdesk's GET /time_entries leaves out the entries of spam and deleted tickets, and the
-- hourly read goes by executed_at (48 hours back), so a ticket taken off spam or restored got its
-- contacts back but never its older time entries. The ticket load now notes such tickets here,
-- and the time-entries task reads their entries by ticket (GET /tickets/{id}/time_entries).

CREATE TABLE freshdesk_raw.time_entries_to_reread (
    ticket_id  bigint      PRIMARY KEY,
    marked_at  timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE freshdesk_raw.time_entries_to_reread IS
    'Tickets taken off spam or restored whose time entries the next time-entries task reads by ticket (Freshdesk''s time-entry list left them out meanwhile).';
COMMENT ON COLUMN freshdesk_raw.time_entries_to_reread.ticket_id IS 'The restored ticket.';
COMMENT ON COLUMN freshdesk_raw.time_entries_to_reread.marked_at IS 'When the load that restored it ran.';
