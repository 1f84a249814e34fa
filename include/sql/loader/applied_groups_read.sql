-- When the read of GET /groups that freshdesk_raw.groups mirrors began.
SELECT read_at FROM freshdesk_raw.groups_read
