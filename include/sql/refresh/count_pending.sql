-- How much a refresh would have to derive again, against the size of the mirror: past a
-- large share of the mirror (right after a big backfill) a full rebuild is the cheaper way.
SELECT
    (SELECT count(DISTINCT ticket_id) FROM freshdesk_raw.dirty_tickets) AS dirty_tickets,
    (SELECT count(*) FROM freshdesk_raw.tickets) AS tickets
