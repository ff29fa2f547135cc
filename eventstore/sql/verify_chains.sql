-- Recomputes every link of every stream's hash chain and reports, per stream, the first event whose stored
-- hash disagrees with its recomputation or whose version does not follow the previous one.
WITH chained AS (
    SELECT global_position, stream_id, stream_version, event_id, hash,
           event_hash(lag(hash) OVER w, stream_id, stream_version, event_id, event_type, schema_version,
                      data, metadata, recorded_at) AS expected_hash,
           stream_version - lag(stream_version, 1, 0::BIGINT) OVER w AS step
    FROM events
    WHERE ($1::TEXT IS NULL OR stream_id = $1)
    WINDOW w AS (PARTITION BY stream_id ORDER BY stream_version)
)
SELECT DISTINCT ON (stream_id)
       stream_id, stream_version, event_id, global_position,
       CASE WHEN step <> 1 THEN 'version gap' ELSE 'hash mismatch' END AS reason
FROM chained
WHERE hash <> expected_hash OR step <> 1
ORDER BY stream_id, stream_version
