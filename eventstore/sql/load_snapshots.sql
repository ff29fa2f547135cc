-- The latest snapshot of each of several streams.
SELECT DISTINCT ON (stream_id) stream_id, version, snapshot_type, schema_version, state::TEXT AS state
FROM snapshots
WHERE stream_id = ANY ($1::TEXT[])
ORDER BY stream_id, version DESC
