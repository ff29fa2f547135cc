-- One row per stream: its version and the head of its hash chain. Appends lock this row, which is what
-- serialises writers of one stream while leaving other streams free.
-- (Superseded by 0006: the table is now a catalogue of streams, and appends read the head from `events`.)
CREATE TABLE IF NOT EXISTS streams (
    stream_id  TEXT        PRIMARY KEY,
    type       TEXT        NOT NULL,
    version    BIGINT      NOT NULL,
    last_hash  BYTEA,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
