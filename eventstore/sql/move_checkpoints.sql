-- Renames checkpoints pairwise ($2[i] becomes $1[i]), replacing any checkpoint of the new name: how a rebuilt
-- copy's positions become the live ones.
WITH moved AS (
    DELETE FROM checkpoints c
    USING unnest($1::TEXT[], $2::TEXT[]) AS m (to_name, from_name)
    WHERE c.name = m.from_name
    RETURNING m.to_name, c.transaction_id, c.global_position
)
INSERT INTO checkpoints (name, transaction_id, global_position, updated_at)
SELECT to_name, transaction_id, global_position, now() FROM moved
ON CONFLICT (name) DO UPDATE
SET transaction_id = excluded.transaction_id, global_position = excluded.global_position, updated_at = now()
