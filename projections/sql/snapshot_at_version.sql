SELECT version, snapshot_type, schema_version, state::TEXT AS state
FROM snapshots
WHERE stream_id = $1 AND version <= $2
ORDER BY version DESC
LIMIT 1
