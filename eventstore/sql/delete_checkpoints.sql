DELETE FROM checkpoints WHERE name = ANY ($1::TEXT[])
