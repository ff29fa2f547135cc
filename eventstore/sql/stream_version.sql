SELECT coalesce((SELECT version FROM streams WHERE stream_id = $1), 0)
