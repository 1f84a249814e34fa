-- V011: the incremental refresh now updates a changed contact in place (same ticket and
-- conversation, new queue) instead of deleting it and inserting it again. Room in contacts'
-- pages lets such an update stay on its page (HOT) and skip the index, as V007 did for the
-- volumes. Applies to pages written from now on (a full rebuild rewrites them all).
ALTER TABLE freshdesk.contacts SET (fillfactor = 85);
