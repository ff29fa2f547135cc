-- One stream in version order, optionally bounded by versions and by the moment it was recorded.
SELECT global_position, transaction_id, stream_id, stream_version, event_id, event_type, schema_version,
       data::TEXT AS data, metadata::TEXT AS metadata, recorded_at
FROM events
WHERE stream_id = $1
  AND stream_version BETWEEN $2 AND $3
  AND ($4::TIMESTAMPTZ IS NULL OR recorded_at <= $4)
ORDER BY stream_version
LIMIT $5
