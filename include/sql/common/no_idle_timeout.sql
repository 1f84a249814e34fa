-- An import transaction waits on Freshdesk between its writes (minutes on a rate-limited
-- account): a server-wide idle_in_transaction_session_timeout, meant for forgotten sessions,
-- would kill every slice. Like pg_dump, opt out, for this session only (it is closed after its
-- unit of work).
SET idle_in_transaction_session_timeout = 0
