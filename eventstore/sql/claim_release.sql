-- Gives a partition's claim ($1) back.
SELECT pg_advisory_unlock($1::BIGINT)
