-- Events keep their payloads as the exact JSON text they were appended with: `json`, not `jsonb`.
-- Why: the hash chain covers the payload's text, and with `jsonb` that text is PostgreSQL's own rendering
-- (sorted keys, its spacing, its numbers), which only PostgreSQL can compute. With the exact text, the store
-- can chain an append in Python from a head it knows and send a plain INSERT (eventstore/chain.py), and what
-- an auditor reads back is byte for byte what was hashed. Reads also skip rendering jsonb as text.
--
-- Existing hashes stay valid: converting through text keeps each payload's jsonb rendering, which is exactly
-- the text its hash was computed over. event_hash takes json from now on (functions/event_hash.sql).
DROP FUNCTION IF EXISTS event_hash(BYTEA, TEXT, BIGINT, UUID, TEXT, INTEGER, JSONB, JSONB, TIMESTAMPTZ);

ALTER TABLE events ALTER COLUMN metadata DROP DEFAULT;
ALTER TABLE events
    ALTER COLUMN data TYPE JSON USING data::TEXT::JSON,
    ALTER COLUMN metadata TYPE JSON USING metadata::TEXT::JSON;
ALTER TABLE events ALTER COLUMN metadata SET DEFAULT '{}';
