-- The common append in one plain statement: one event onto a stream that exists, at an exact expected version.
-- It chains from the event at the expected version: from its hash when the caller knows it ($8: this store
-- wrote that event itself, and a stored event never changes), otherwise looked up (coalesce only runs the
-- lookup when $8 is NULL). No lock, no PL/pgSQL: the (stream_id, stream_version) key arbitrates, so a racing
-- writer that got there first makes this fail with a unique violation. No row comes back when there is no
-- event at the expected version. In both cases the caller runs append_events, which says why (a version
-- mismatch, or a retry of this very append). Only ever run in a transaction of its own, so the error aborts
-- nothing else; a plain (not speculative) insert writes less WAL than ON CONFLICT.
--
-- recorded_at is taken during the statement, after the snapshot that saw the previous event committed, so
-- it never goes backwards within a stream (as-of reads rely on it).
INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata,
                    recorded_at, hash)
SELECT $1, $2 + 1, $3, $4, $5, x.data, x.metadata, x.recorded_at,
       event_hash(p.hash, $1, $2 + 1, $3, $4, $5, x.data, x.metadata, x.recorded_at)
FROM (SELECT coalesce($8::BYTEA, (SELECT e.hash FROM events e WHERE e.stream_id = $1 AND e.stream_version = $2))
             AS hash) p,
     LATERAL (SELECT $6::JSONB AS data, $7::JSONB AS metadata, clock_timestamp() AS recorded_at) x
WHERE p.hash IS NOT NULL
RETURNING global_position, transaction_id, hash
