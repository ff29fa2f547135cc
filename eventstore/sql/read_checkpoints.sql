SELECT name, transaction_id, global_position FROM checkpoints WHERE name = ANY ($1::TEXT[])
