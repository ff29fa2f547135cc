-- append_next.sql for a writer that already knows the hash of the event at the expected version ($8): it
-- committed that event itself moments ago, and a stored event never changes. It saves the lookup.
-- The (stream_id, stream_version) key still arbitrates: if another writer got there first this fails with a
-- unique violation, and the caller runs append_events. (Only run in a transaction of its own, so the error
-- aborts nothing else; without ON CONFLICT the insert is not speculative, which writes less WAL.)
-- recorded_at: see append_next.sql (the previous event committed before this statement began).
INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata,
                    recorded_at, hash)
SELECT $1, $2 + 1, $3, $4, $5, x.data, x.metadata, x.recorded_at,
       event_hash($8, $1, $2 + 1, $3, $4, $5, x.data, x.metadata, x.recorded_at)
FROM (SELECT $6::JSONB AS data, $7::JSONB AS metadata, clock_timestamp() AS recorded_at) x
RETURNING global_position, transaction_id, hash
