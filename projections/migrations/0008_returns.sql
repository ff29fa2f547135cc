-- Returns (RMAs). `lines` as requested, `received` with the condition per unit; refund_amount is exact money.
CREATE TABLE IF NOT EXISTS returns (
    return_id            TEXT        PRIMARY KEY,
    order_id             TEXT        NOT NULL,
    status               TEXT        NOT NULL,
    lines                JSONB       NOT NULL,
    received             JSONB       NOT NULL,
    location_code        TEXT,
    refund_amount        NUMERIC,
    replacement_order_id TEXT,
    carrier              TEXT,
    tracking_number      TEXT,
    requested_at         TIMESTAMPTZ NOT NULL,
    version              BIGINT      NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    state                JSONB       NOT NULL
);

CREATE INDEX IF NOT EXISTS returns_order_idx ON returns (order_id);
