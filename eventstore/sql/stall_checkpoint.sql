-- Notes why a reader stopped ($2), leaving its position alone (a reader never saved yet gets START).
INSERT INTO checkpoints (name, transaction_id, global_position, stalled)
VALUES ($1, '0'::XID8, 0, $2)
ON CONFLICT (name) DO UPDATE SET stalled = excluded.stalled, updated_at = now()
