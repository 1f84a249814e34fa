-- Serialises migrators (two tasks starting at once); released when the transaction ends.
SELECT pg_advisory_xact_lock(hashtextextended('freshdesk_provider.migrate', 0))
