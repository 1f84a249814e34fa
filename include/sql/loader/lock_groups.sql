-- Two group loads at once would each compare against the state before the other's change.
SELECT pg_advisory_xact_lock(hashtextextended('freshdesk_provider.groups', 0))
