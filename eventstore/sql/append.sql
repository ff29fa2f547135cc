-- The general append, one stream or several: see functions/append_events.sql.
SELECT stream_version, global_position, transaction_id, hash, recorded_at
FROM append_events($1, $2, $3, $4, $5, $6, $7, $8)
