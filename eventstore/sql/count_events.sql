SELECT count(*) AS events FROM events WHERE ($1::TEXT IS NULL OR stream_id = $1)
