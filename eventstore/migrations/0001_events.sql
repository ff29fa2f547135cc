-- The ledger. Append-only: rows are never updated or deleted by Meridian.
-- Readers order by (transaction_id, global_position): identity values are handed out before commit, so a
-- transaction that commits late can hold smaller positions than events already visible; the transaction id
-- together with the snapshot xmin guard lets a catch-up reader wait for it instead of skipping it.
CREATE TABLE IF NOT EXISTS events (
    global_position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id  XID8        NOT NULL DEFAULT pg_current_xact_id(),
    stream_id       TEXT        NOT NULL,
    stream_version  BIGINT      NOT NULL,
    event_id        UUID        NOT NULL UNIQUE,
    event_type      TEXT        NOT NULL,
    schema_version  INTEGER     NOT NULL DEFAULT 1,
    data            JSONB       NOT NULL,
    metadata        JSONB       NOT NULL DEFAULT '{}',
    recorded_at     TIMESTAMPTZ NOT NULL,
    hash            BYTEA       NOT NULL,
    CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version)
);

CREATE INDEX IF NOT EXISTS events_global_order_idx ON events (transaction_id, global_position);
CREATE INDEX IF NOT EXISTS events_stream_recorded_idx ON events (stream_id, recorded_at);
