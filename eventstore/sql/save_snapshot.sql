INSERT INTO snapshots (stream_id, version, snapshot_type, schema_version, state)
VALUES ($1, $2, $3, $4, $5::JSONB)
ON CONFLICT (stream_id, version) DO NOTHING
