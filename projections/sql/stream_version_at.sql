-- The version a stream had reached at a moment: its last event recorded by then. recorded_at never goes
-- backwards within a stream, and one append's events share it, hence the max over that one moment.
SELECT max(stream_version)
FROM events
WHERE stream_id = $1
  AND recorded_at = (SELECT max(recorded_at) FROM events WHERE stream_id = $1 AND recorded_at <= $2)
