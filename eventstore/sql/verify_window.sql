-- One window of the log in global-position order (one stream's, with $3), each event's link recomputed from
-- its predecessor in its stream, found through the (stream_id, stream_version) key: windows chain the whole
-- log without a sort or a window function over all of it, so a verification can report as it goes.
-- Rows: the events that do not belong (version gap, or stored hash unlike the recomputed one), then one
-- summary row, last: how many events the window held and its last global position.
WITH scanned AS (
    SELECT *
    FROM events
    WHERE global_position > $1
      AND ($3::TEXT IS NULL OR stream_id = $3)
    ORDER BY global_position
    LIMIT $2
),
checked AS (
    SELECT e.global_position, e.stream_id, e.stream_version, e.event_id,
           CASE
               WHEN e.stream_version <> coalesce(previous.stream_version, 0) + 1 THEN 'version gap'
               WHEN e.hash IS DISTINCT FROM event_hash(previous.hash, e.stream_id, e.stream_version, e.event_id,
                                                       e.event_type, e.schema_version, e.data, e.metadata,
                                                       e.recorded_at) THEN 'hash mismatch'
           END AS reason
    FROM scanned e
    LEFT JOIN events previous
           ON previous.stream_id = e.stream_id AND previous.stream_version = e.stream_version - 1
)
SELECT *
FROM (
    SELECT FALSE AS summary, global_position, stream_id, stream_version, event_id, reason
    FROM checked
    WHERE reason IS NOT NULL
    UNION ALL
    SELECT TRUE, max(global_position), NULL, count(*), NULL, NULL
    FROM checked
) AS found
ORDER BY summary, global_position
