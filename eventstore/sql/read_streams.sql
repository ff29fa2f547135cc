-- Several streams at once, each from its own starting version: one round trip to load many aggregates.
SELECT e.global_position, e.transaction_id, e.stream_id, e.stream_version, e.event_id, e.event_type,
       e.schema_version, e.data::TEXT AS data, e.metadata::TEXT AS metadata, e.recorded_at
FROM unnest($1::TEXT[], $2::BIGINT[]) AS wanted (stream_id, from_version)
JOIN events e ON e.stream_id = wanted.stream_id AND e.stream_version >= wanted.from_version
ORDER BY e.stream_id, e.stream_version
