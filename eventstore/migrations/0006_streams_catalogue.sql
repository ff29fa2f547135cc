-- Streams become a catalogue: id, type (the id's prefix) and creation time, written once, by the append that
-- creates the stream. Appends no longer keep each stream's head (version, last hash) here: they queue on an
-- advisory lock and read the head from the stream's last event (functions/append_events.sql), which saves a
-- row lock and an UPDATE on every append. A stream's version is its last event's.
ALTER TABLE streams
    DROP COLUMN IF EXISTS version,
    DROP COLUMN IF EXISTS last_hash,
    DROP COLUMN IF EXISTS updated_at;
