-- Before any recomputation reads the contacts: a mark committed before this statement is
-- covered by what follows, one committed after it stays for the next run.
WITH consumed AS (
    DELETE FROM freshdesk_raw.dirty_planning_cells RETURNING interval_start, queue_name
)
INSERT INTO pg_temp._fd_planning_cells (interval_start, queue_name)
SELECT interval_start, queue_name FROM consumed
