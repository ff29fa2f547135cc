SELECT stream_version, global_position, transaction_id
FROM append_events($1, $2, $3, $4, $5, $6, $7)
