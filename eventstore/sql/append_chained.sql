-- One event onto a stream whose head this store appended itself, so it knows the head's version, hash and
-- time and has chained the new event's link in Python (eventstore/chain.py): a plain INSERT, no lookup and
-- no hashing in the database. Safe because a head the store remembers committed, and stored events never
-- change. A racing writer that took the version first makes this fail on the (stream_id, stream_version)
-- key; the caller then runs append_events, which says why. Only ever run in a transaction of its own.
INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata,
                    recorded_at, hash)
VALUES ($1, $2, $3, $4, $5, $6::JSON, $7::JSON, $8, $9)
RETURNING global_position, transaction_id
