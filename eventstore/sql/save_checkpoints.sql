-- Moves the named checkpoints ($1) to one position ($2, $3), clearing any stall note (stall_checkpoint.sql),
-- and, when a channel is given ($4), sends a NOTIFY there: PostgreSQL delivers it at commit, so a listener woken
-- by it sees the effects committed with them.
WITH saved AS (
    INSERT INTO checkpoints (name, transaction_id, global_position, updated_at)
    SELECT name, $2::XID8, $3::BIGINT, now() FROM unnest($1::TEXT[]) AS name
    ON CONFLICT (name) DO UPDATE
    SET transaction_id = excluded.transaction_id, global_position = excluded.global_position, updated_at = now(),
        stalled = NULL  -- it moves again: whatever stopped it can be read now
)
SELECT pg_notify($4::TEXT, '') WHERE $4::TEXT IS NOT NULL
