-- A stream's latest snapshot of one type and schema version at or before a version (loading.py: any other
-- type or schema is not the state the caller folds).
SELECT stream_id, version, snapshot_type, schema_version, state::TEXT AS state
FROM snapshots
WHERE stream_id = $1
  AND snapshot_type = $2
  AND schema_version = $3
  AND version <= $4
ORDER BY version DESC
LIMIT 1
