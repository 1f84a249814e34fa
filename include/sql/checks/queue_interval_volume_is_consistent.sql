-- Data-quality check after every refresh (run by SQLCheckOperator: every column must be true).
-- One statement, so all of it reads one snapshot even while another refresh commits.
SELECT
    -- no null, zero or negative counts: empty intervals have no row at all
    NOT EXISTS (
        SELECT 1 FROM freshdesk.queue_interval_volume WHERE contacts IS NULL OR contacts <= 0
    ) AS counts_are_positive,
    -- every contact is counted in exactly one queue and interval
    (SELECT coalesce(sum(contacts), 0) FROM freshdesk.queue_interval_volume)
        = (SELECT count(*) FROM freshdesk.contacts) AS every_contact_counted_once,
    NOT EXISTS (
        SELECT 1 FROM freshdesk.contacts
        GROUP BY ticket_id, conversation_id HAVING count(*) > 1
    ) AS contacts_are_unique,
    -- intervals start on :00/:15/:30/:45 UTC
    NOT EXISTS (
        SELECT 1 FROM freshdesk.queue_interval_volume
        WHERE extract(epoch FROM interval_start)::bigint % 900 <> 0
    ) AS intervals_are_aligned,
    -- the queue name is made of its parts, as the contract defines it
    NOT EXISTS (
        SELECT 1 FROM freshdesk.queue_interval_volume
        WHERE queue_name IS DISTINCT FROM CASE
            WHEN group_name IS NULL THEN 'Unknown group/source ' || queue_kind
            ELSE group_name || ' ' || source_name || ' ' || queue_kind
        END
           OR channel IS DISTINCT FROM 'Cases'
           OR queue_kind NOT IN ('Tickets', 'Replies')
    ) AS queue_names_match_their_parts
