-- Temporary tables get no autovacuum statistics; without them the joins below plan for the
-- wrong size.
ANALYZE pg_temp._fd_load_tickets
