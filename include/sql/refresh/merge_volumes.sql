-- Every changed cell in one pass, one index probe each: a cell that loses all its contacts
-- is deleted (intervals with no contacts have no row), one that changes is updated in place
-- (HOT: the count is not indexed and the pages keep room, V007), a new cell is inserted.
-- A count that would drop below zero fails the contacts > 0 check instead of storing a wrong
-- number; a cell losing contacts it does not have is left out, and the caller sees that in
-- the row count.
MERGE INTO freshdesk.queue_interval_volume q
USING (SELECT * FROM pg_temp._fd_refresh_net ORDER BY interval_start, queue_name) n
ON q.interval_start = n.interval_start AND q.queue_name = n.queue_name
WHEN MATCHED AND q.contacts + n.delta = 0 THEN
    DELETE
WHEN MATCHED THEN
    UPDATE SET contacts = q.contacts + n.delta
WHEN NOT MATCHED AND n.delta > 0 THEN
    INSERT (interval_start, queue_name, group_name, source_name, queue_kind, channel, contacts)
    VALUES (n.interval_start, n.queue_name, n.group_name, n.source_name, n.queue_kind, n.channel, n.delta)
