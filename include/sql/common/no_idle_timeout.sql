-- An import transaction waits on Freshdesk between its writes (minutes on a rate-limited
-- account): a server-wide idle_in_transaction_session_timeout, meant for forgotten sessions,
-- would kill every slice. Like pg_dump, opt out for this transaction only.
SET LOCAL idle_in_transaction_session_timeout = 0
