-- Money on orders, exact: NUMERIC amounts (never floating point) at the currency's exponent, unit prices as
-- JSON strings. One row per priced order (orders without prices have none), and every refund as recorded.
CREATE TABLE IF NOT EXISTS order_money (
    order_id    TEXT    PRIMARY KEY,
    currency    TEXT    NOT NULL,
    paid        NUMERIC NOT NULL,
    total       NUMERIC NOT NULL,  -- Σ unit price × quantity, cancelled units excluded
    refunded    NUMERIC NOT NULL,
    unit_prices JSONB   NOT NULL   -- {"<sku>": "19.99"}
);

CREATE TABLE IF NOT EXISTS order_refunds (
    order_id       TEXT        NOT NULL,
    stream_version BIGINT      NOT NULL,  -- the OrderRefunded event's version in the order stream
    amount         NUMERIC     NOT NULL,
    currency       TEXT        NOT NULL,
    cause          TEXT        NOT NULL,
    return_id      TEXT,
    lines          JSONB       NOT NULL,
    reason         TEXT,
    refunded_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (order_id, stream_version)
);
