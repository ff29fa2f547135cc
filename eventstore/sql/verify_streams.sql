-- Catalogued streams without a single event left: the whole stream was deleted.
SELECT s.stream_id
FROM streams s
WHERE ($1::TEXT IS NULL OR s.stream_id = $1)
  AND NOT EXISTS (SELECT FROM events e WHERE e.stream_id = s.stream_id)
ORDER BY s.stream_id
