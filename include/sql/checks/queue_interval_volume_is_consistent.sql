-- Used by the DAGs' SQLCheckOperator: every column of the single row must be true.
-- Compares every (interval, queue) cell with the contacts behind it, and the contract's shape
-- rules. One statement, so it sees one consistent snapshot even while a refresh commits.
WITH expected AS (
    SELECT interval_start, queue_name, count(*) AS contacts
    FROM freshdesk.contacts
    GROUP BY interval_start, queue_name
)
SELECT
    NOT EXISTS (
        SELECT 1
        FROM expected e
        FULL JOIN freshdesk.queue_interval_volume v
               ON v.interval_start = e.interval_start AND v.queue_name = e.queue_name
        WHERE e.contacts IS DISTINCT FROM v.contacts
    ) AS volumes_match_contacts,
    NOT EXISTS (
        SELECT 1 FROM freshdesk.queue_interval_volume v
        WHERE v.contacts <= 0
           OR v.channel <> 'Cases'
           OR v.interval_start <> freshdesk.interval_15m(v.interval_start)
           OR starts_with(v.queue_name, 'Unknown group/source ')
              <> (v.group_name IS NULL AND v.source_name IS NULL)
           OR v.queue_name <> COALESCE(v.group_name || ' ' || v.source_name || ' ' || v.queue_kind,
                                       'Unknown group/source ' || v.queue_kind)
    ) AS volumes_follow_contract
