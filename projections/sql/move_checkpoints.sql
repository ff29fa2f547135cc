-- The rebuilt read models' checkpoints become the live ones ($1 live names, $2 rebuild names, pairwise).
WITH moved AS (
    DELETE FROM checkpoints c
    USING unnest($1::TEXT[], $2::TEXT[]) AS m (live_name, rebuild_name)
    WHERE c.name = m.rebuild_name
    RETURNING m.live_name, c.transaction_id, c.global_position
)
INSERT INTO checkpoints (name, transaction_id, global_position, updated_at)
SELECT live_name, transaction_id, global_position, now() FROM moved
ON CONFLICT (name) DO UPDATE
SET transaction_id = excluded.transaction_id, global_position = excluded.global_position, updated_at = now()
