-- Takes the advisory lock of every checkpoint key ($1) for this transaction, or reports that another transaction
-- holds one of them. Try-locks never wait, so the order in which they are taken cannot deadlock.
SELECT bool_and(pg_try_advisory_xact_lock(key)) FROM unnest($1::BIGINT[]) AS key
