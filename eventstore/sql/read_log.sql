-- The log for readers (the API's `events`): a page of events after a global position, oldest first, each
-- filter given a condition in place of the marker below (store.py: LOG_FILTERS). A filter left out is left out
-- of the statement, not written `$n IS NULL OR ...`, so that every combination is its own prepared statement
-- whose plan uses that filter's index (migrations/0011_log_filters.sql).
-- For reading, not following: unlike read_all it does not wait for transactions in flight (a consumer of the
-- log uses LogFollower).
SELECT global_position, transaction_id, stream_id, stream_version, event_id, event_type, schema_version,
       data::TEXT AS data, metadata::TEXT AS metadata, recorded_at
FROM events
WHERE global_position > $1
  {filters}
ORDER BY global_position
LIMIT $2
