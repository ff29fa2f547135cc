-- One event onto a stream that exists, at an exact expected version, when this store does not know the
-- stream's head (another process wrote it): one plain statement that chains from the event at the expected
-- version. No lock, no PL/pgSQL: the (stream_id, stream_version) key arbitrates, so a racing writer that got
-- there first makes this fail with a unique violation. No row comes back when there is no event at the
-- expected version. In both cases the caller runs append_events, which says why (a version mismatch, or a
-- retry of this very append). Only ever run in a transaction of its own, so the error aborts nothing else; a
-- plain (not speculative) insert writes less WAL than ON CONFLICT.
--
-- recorded_at is taken during the statement, after the snapshot that saw the previous event committed, and
-- never before the previous event's time, so it never goes backwards within a stream (as-of reads rely on it).
-- The head's version, hash and time come back so that the store can chain the stream's next append itself.
INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata,
                    recorded_at, hash)
SELECT $1, $2 + 1, $3, $4, $5, x.data, x.metadata, x.recorded_at,
       event_hash(p.hash, $1, $2 + 1, $3, $4, $5, x.data, x.metadata, x.recorded_at)
FROM events p,
     LATERAL (SELECT $6::JSON AS data, $7::JSON AS metadata,
                     greatest(clock_timestamp(), p.recorded_at) AS recorded_at) x
WHERE p.stream_id = $1 AND p.stream_version = $2
RETURNING global_position, transaction_id, hash, recorded_at
