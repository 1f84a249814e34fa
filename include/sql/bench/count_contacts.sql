SELECT count(*) FROM freshdesk.contacts
