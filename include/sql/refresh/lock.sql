-- One refresh (or rebuild) at a time: each applies deltas to the volumes the previous one
-- left, so they must not interleave. Held until the caller's transaction ends.
SELECT pg_advisory_xact_lock(hashtextextended('freshdesk_provider.refresh', 0))
