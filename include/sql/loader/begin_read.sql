-- Opens the caller's transaction before anything is read from Freshdesk, so that the rows it
-- writes carry a loaded_at (now(): the transaction's start) no later than the reads behind them.
SELECT transaction_timestamp()
