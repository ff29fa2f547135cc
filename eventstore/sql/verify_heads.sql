-- A stream head that no longer matches its last event: the tail was deleted or rewritten.
SELECT s.stream_id, s.version, last.stream_version AS last_version
FROM streams s
LEFT JOIN LATERAL (
    SELECT e.stream_version, e.hash FROM events e
    WHERE e.stream_id = s.stream_id ORDER BY e.stream_version DESC LIMIT 1
) AS last ON TRUE
WHERE ($1::TEXT IS NULL OR s.stream_id = $1)
  AND (last.stream_version IS DISTINCT FROM s.version OR last.hash IS DISTINCT FROM s.last_hash)
ORDER BY s.stream_id
