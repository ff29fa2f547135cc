-- The ids of a category's streams (the catalogue's `type` is the id's prefix), optionally only those whose
-- id ends with $2: compared as text, so no character in it means anything special.
SELECT stream_id
FROM streams
WHERE type = $1
  AND ($2::TEXT IS NULL OR right(stream_id, length($2)) = $2)
ORDER BY stream_id
