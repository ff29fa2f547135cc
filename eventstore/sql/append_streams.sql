SELECT stream_id, stream_version, global_position, transaction_id
FROM append_streams($1, $2, $3, $4, $5, $6, $7, $8)
