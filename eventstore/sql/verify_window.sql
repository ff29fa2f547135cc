-- One window of the log in stream order, read through the (stream_id, stream_version) key (no sort): each event's
-- link recomputed from the event before it in its stream. Windows follow one another in that order, so the event
-- before a window's first is the previous window's last, passed in: its stream $1, version $2 and hash $4.
-- One stream only: the marker below becomes its condition (verify.py).
-- Rows: the events that do not belong (version gap, or stored hash unlike the recomputed one), then one summary
-- row, last: the window's last event (where the next one starts), its highest global position, its event count
-- and how many streams it began (the previous window's last stream, continued, is not counted again).
WITH scanned AS (
    SELECT global_position, stream_id, stream_version, event_id, event_type, schema_version, data, metadata,
           recorded_at, hash
    FROM events
    WHERE (stream_id, stream_version) > ($1::TEXT, $2::BIGINT)
      {stream}
    ORDER BY stream_id, stream_version
    LIMIT $3
),
checked AS (
    SELECT global_position, stream_id, stream_version, event_id, hash,
           CASE
               WHEN stream_version <> 1 + lag(stream_version, 1, CASE WHEN stream_id = $1 THEN $2 ELSE 0 END) OVER w
                   THEN 'version gap'
               WHEN hash IS DISTINCT FROM event_hash(lag(hash, 1, CASE WHEN stream_id = $1 THEN $4::BYTEA END) OVER w,
                                                     stream_id, stream_version, event_id, event_type, schema_version,
                                                     data, metadata, recorded_at)
                   THEN 'hash mismatch'
           END AS reason
    FROM scanned
    WINDOW w AS (PARTITION BY stream_id ORDER BY stream_version)
)
SELECT FALSE AS summary, global_position, stream_id, stream_version, event_id, reason,
       NULL::BYTEA AS hash, NULL::BIGINT AS events, NULL::BIGINT AS streams
FROM checked
WHERE reason IS NOT NULL
UNION ALL
SELECT TRUE, (SELECT max(global_position) FROM checked), stream_id, stream_version, NULL, NULL,
       hash, (SELECT count(*) FROM checked), (SELECT count(DISTINCT stream_id) FROM checked WHERE stream_id <> $1)
FROM (SELECT stream_id, stream_version, hash FROM checked ORDER BY stream_id DESC, stream_version DESC LIMIT 1) AS last
ORDER BY summary, stream_id, stream_version
