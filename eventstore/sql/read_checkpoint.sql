SELECT transaction_id, global_position FROM checkpoints WHERE name = $1
