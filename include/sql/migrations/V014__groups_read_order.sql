-- V014: GET /groups is read in full and mirrored as a whole, so the newest read is the truth.
-- A backfill that read the groups before an hourly sync did, but commits after it, must not put
-- back the names and the removed groups that the newer read replaced: each load records when its
-- read began, and a read older than the one already applied is skipped.

CREATE TABLE freshdesk_raw.groups_read (
    only_row    boolean     PRIMARY KEY DEFAULT true CHECK (only_row),
    read_at     timestamptz NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE freshdesk_raw.groups_read IS
    'When the read of GET /groups that freshdesk_raw.groups mirrors began (one row). A load of an older read is skipped.';
COMMENT ON COLUMN freshdesk_raw.groups_read.only_row IS 'Always true: the table holds one row.';
COMMENT ON COLUMN freshdesk_raw.groups_read.read_at IS 'When the applied read of GET /groups began (UTC, the importer''s clock).';
COMMENT ON COLUMN freshdesk_raw.groups_read.applied_at IS 'When that read was written to freshdesk_raw.groups.';
