-- The version a stream had reached at a moment: its last event recorded by then (0 if none was). recorded_at
-- never goes backwards within a stream, and one append's events share it, hence the max over that one moment.
SELECT coalesce(max(stream_version), 0)
FROM events
WHERE stream_id = $1
  AND recorded_at = (SELECT max(recorded_at) FROM events WHERE stream_id = $1 AND recorded_at <= $2)
