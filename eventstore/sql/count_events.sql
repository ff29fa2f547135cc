SELECT count(*) AS events, count(DISTINCT stream_id) AS streams FROM events WHERE ($1::TEXT IS NULL OR stream_id = $1)
