-- Cart reservations: one row per cart, its status (HELD, CONSUMED, RELEASED, EXPIRED) and when its hold ends.
CREATE TABLE IF NOT EXISTS cart_reservations (
    cart_id           TEXT        PRIMARY KEY,
    customer_id       TEXT        NOT NULL,
    status            TEXT        NOT NULL,
    expires_at        TIMESTAMPTZ NOT NULL,
    promised_delivery TIMESTAMPTZ,
    order_id          TEXT,
    version           BIGINT      NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    state             JSONB       NOT NULL
);

-- The expiry sweep: held carts by when they end, and nothing else (ended carts leave the index).
CREATE INDEX IF NOT EXISTS cart_reservations_held_idx ON cart_reservations (expires_at, cart_id)
    WHERE status = 'HELD';
