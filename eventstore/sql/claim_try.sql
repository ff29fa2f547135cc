-- Claims a partition ($1) for this session if nobody holds it; true if it did.
SELECT pg_try_advisory_lock($1::BIGINT)
