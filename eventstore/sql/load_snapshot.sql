-- The latest snapshot of a stream at or before a version, and (when $3 is given) taken of a version that
-- had already been recorded at that moment.
SELECT stream_id, version, snapshot_type, schema_version, state::TEXT AS state
FROM snapshots
WHERE stream_id = $1
  AND version <= $2
  AND ($3::TIMESTAMPTZ IS NULL OR version <= coalesce((
        -- recorded_at never goes backwards within a stream, so the newest row by time is the highest version
        SELECT stream_version FROM events WHERE stream_id = $1 AND recorded_at <= $3
        ORDER BY recorded_at DESC LIMIT 1), 0))
ORDER BY version DESC
LIMIT 1
