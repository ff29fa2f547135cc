SELECT name, transaction_id, global_position, stalled IS NOT NULL AS stalled FROM checkpoints WHERE name = ANY ($1::TEXT[])
