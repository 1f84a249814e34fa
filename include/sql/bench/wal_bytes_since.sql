-- Bench only: WAL bytes written since %(since)s (the whole server: the bench keeps the other
-- databases idle meanwhile).
SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), %(since)s::pg_lsn)
