-- Waits for one checkpoint key's advisory lock, held until this transaction ends.
SELECT pg_advisory_xact_lock($1::BIGINT)
