-- Bench only: where the WAL stands before a refresh.
SELECT pg_current_wal_insert_lsn()
