-- A stream's version is its last event's; 0 when it has none.
SELECT coalesce(max(stream_version), 0) FROM events WHERE stream_id = $1
