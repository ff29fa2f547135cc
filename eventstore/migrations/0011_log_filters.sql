-- The API's `events` lists the log filtered by category (the stream id's prefix before the first '-'), by event
-- type and by recorded time, in global-position order (sql/read_log.sql). Each filter gets the index that
-- finds its page without walking the log; a stream alone already has (stream_id, stream_version).
-- Three more entries per append: the price of an audit screen whose pages cost their rows, not the log.
CREATE INDEX IF NOT EXISTS events_category_idx ON events (split_part(stream_id, '-', 1), global_position);
CREATE INDEX IF NOT EXISTS events_type_idx ON events (event_type, global_position);
CREATE INDEX IF NOT EXISTS events_recorded_idx ON events (recorded_at, global_position);
