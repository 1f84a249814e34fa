-- Data-quality check after every refresh (run by SQLCheckOperator: every column must be true).
-- One statement, so all of it reads one snapshot even while another refresh commits.
SELECT
    -- no zero or negative counts: empty intervals have no row at all
    NOT EXISTS (
        SELECT 1 FROM freshdesk.queue_interval_volume WHERE contacts IS NULL OR contacts <= 0
    ) AS counts_are_positive,
    -- every (interval, queue) cell holds exactly the contacts behind it
    NOT EXISTS (
        SELECT 1
        FROM (
            SELECT interval_start, queue_name, count(*) AS contacts
            FROM freshdesk.contacts
            GROUP BY interval_start, queue_name
        ) e
        FULL JOIN freshdesk.queue_interval_volume v
               ON v.interval_start = e.interval_start AND v.queue_name = e.queue_name
        WHERE e.contacts IS DISTINCT FROM v.contacts
    ) AS volumes_match_contacts,
    -- one contact per ticket and per counted conversation
    NOT EXISTS (
        SELECT 1 FROM freshdesk.contacts
        GROUP BY ticket_id, conversation_id HAVING count(*) > 1
    ) AS contacts_are_unique,
    -- intervals start on :00/:15/:30/:45 UTC
    NOT EXISTS (
        SELECT 1 FROM freshdesk.queue_interval_volume
        WHERE interval_start <> freshdesk.interval_15m(interval_start)
    ) AS intervals_are_aligned,
    -- the queue name is made of its parts, as the contract defines it
    NOT EXISTS (
        SELECT 1 FROM freshdesk.queue_interval_volume
        WHERE queue_name IS DISTINCT FROM CASE
            WHEN group_name IS NULL AND source_name IS NULL THEN 'Unknown group/source ' || queue_kind
            ELSE group_name || ' ' || source_name || ' ' || queue_kind
        END
           OR channel IS DISTINCT FROM 'Cases'
           OR queue_kind NOT IN ('Tickets', 'Replies')
    ) AS queue_names_match_their_parts
