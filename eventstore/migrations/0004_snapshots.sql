-- Snapshots of aggregate state at a stream version. Several per stream are kept so that as-of reads of long
-- streams can start from the latest snapshot before the asked moment.
CREATE TABLE IF NOT EXISTS snapshots (
    stream_id      TEXT        NOT NULL,
    version        BIGINT      NOT NULL,
    snapshot_type  TEXT        NOT NULL,
    schema_version INTEGER     NOT NULL DEFAULT 1,
    state          JSON        NOT NULL,  -- JSON, not JSONB: key order is state (reservation order)
    taken_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (stream_id, version)
);
