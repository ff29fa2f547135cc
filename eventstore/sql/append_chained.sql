-- The fast path (eventstore/fast_path.py): one event onto a head the store knows, chained in Python, as a plain
-- INSERT with no lookup and no hashing in the database. The (stream_id, stream_version) key arbitrates: if the
-- head has moved on, this fails and writes nothing. Only ever run in a transaction of its own.
INSERT INTO events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata,
                    recorded_at, hash)
VALUES ($1, $2, $3, $4, $5, $6::JSON, $7::JSON, $8, $9)
RETURNING global_position, transaction_id
