-- Joins a group of competing consumers (claims.py): a shared session lock, held while the process runs.
SELECT pg_advisory_lock_shared($1::BIGINT)
