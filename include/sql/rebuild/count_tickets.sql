SELECT count(*) FROM freshdesk_raw.tickets
