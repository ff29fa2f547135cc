INSERT INTO checkpoints (name, transaction_id, global_position, updated_at)
VALUES ($1, $2, $3, now())
ON CONFLICT (name) DO UPDATE
SET transaction_id = excluded.transaction_id, global_position = excluded.global_position, updated_at = now()
