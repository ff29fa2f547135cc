-- A test's hold on a projection batch (ProjectionRunner's `hold_batches`): waits, inside the batch's transaction,
-- for an advisory lock the test holds; a waiting (not granted) row in pg_locks says the batch is there.
SELECT pg_advisory_xact_lock($1::BIGINT)
