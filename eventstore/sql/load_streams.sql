-- Several streams' latest snapshots and the events after them, in one round trip: what folds need.
-- $2 and $3 give each stream the snapshot type and schema version its fold reads; other snapshots are ignored.
-- One row per tail event; a stream with nothing after its snapshot (or nothing at all) still gets one row,
-- with the event columns NULL. The snapshot's columns come on each stream's first row only.
WITH latest AS (
    SELECT w.stream_id, s.version, s.snapshot_type, s.schema_version, s.state::TEXT AS state
    FROM unnest($1::TEXT[], $2::TEXT[], $3::INT[]) AS w (stream_id, snapshot_type, schema_version)
    LEFT JOIN LATERAL (
        SELECT version, snapshot_type, schema_version, state
        FROM snapshots
        WHERE snapshots.stream_id = w.stream_id
          AND snapshots.snapshot_type = w.snapshot_type
          AND snapshots.schema_version = w.schema_version
        ORDER BY version DESC
        LIMIT 1
    ) AS s ON TRUE
)
SELECT e.global_position, e.transaction_id, l.stream_id, e.stream_version, e.event_id, e.event_type,
       e.schema_version, e.data::TEXT AS data, e.metadata::TEXT AS metadata, e.recorded_at,
       l.version AS snapshot_version, l.snapshot_type, l.schema_version AS snapshot_schema_version,
       CASE WHEN e.stream_version IS NULL OR e.stream_version = l.version + 1 THEN l.state END AS snapshot_state
FROM latest l
LEFT JOIN events e ON e.stream_id = l.stream_id AND e.stream_version > coalesce(l.version, 0)
ORDER BY l.stream_id, e.stream_version
