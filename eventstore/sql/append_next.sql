-- The common append in one plain statement: one event onto a stream that exists, at an exact expected version.
-- It chains from the event at the expected version and inserts the next one; the (stream_id, stream_version)
-- key arbitrates between racing writers, so no lock is taken and no PL/pgSQL runs. No row comes back when
-- the stream is not at that version (or a writer got there first): the caller then runs append_events,
-- which says why (a version mismatch, or a retry of this very append).
--
-- recorded_at is taken during the statement, after the snapshot that saw the previous event committed, so
-- it never goes backwards within a stream (as-of reads rely on it).
INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata,
                    recorded_at, hash)
SELECT $1, $2 + 1, $3, $4, $5, x.data, x.metadata, x.recorded_at,
       event_hash(p.hash, $1, $2 + 1, $3, $4, $5, x.data, x.metadata, x.recorded_at)
FROM events p,
     LATERAL (SELECT $6::JSONB AS data, $7::JSONB AS metadata, clock_timestamp() AS recorded_at) x
WHERE p.stream_id = $1 AND p.stream_version = $2
ON CONFLICT (stream_id, stream_version) DO NOTHING
RETURNING global_position, transaction_id, hash
