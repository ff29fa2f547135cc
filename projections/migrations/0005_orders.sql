-- Order headers. `status` is `order_status(state)`, derived by the domain, never set by hand.
-- `last_position` is the global position of the last event folded in; `updated_at` its recorded_at.
CREATE TABLE IF NOT EXISTS orders (
    order_id           TEXT             PRIMARY KEY,
    customer_id        TEXT             NOT NULL,
    status             TEXT             NOT NULL,
    service_level      TEXT             NOT NULL,
    priority           INTEGER          NOT NULL,
    channel            TEXT             NOT NULL,
    placed_at          TIMESTAMPTZ      NOT NULL,
    ship_to_latitude   DOUBLE PRECISION NOT NULL,
    ship_to_longitude  DOUBLE PRECISION NOT NULL,
    ship_to_postal_code TEXT,
    ship_to_country    TEXT,
    hold_reason        TEXT,
    version            BIGINT           NOT NULL,
    last_position      BIGINT           NOT NULL,
    updated_at         TIMESTAMPTZ      NOT NULL,
    state              JSONB            NOT NULL
);

-- Keyset pagination on (placed_at, order_id): all orders, a customer's, those in one status.
CREATE INDEX IF NOT EXISTS orders_placed_idx ON orders (placed_at, order_id);
CREATE INDEX IF NOT EXISTS orders_customer_idx ON orders (customer_id, placed_at, order_id);
CREATE INDEX IF NOT EXISTS orders_status_idx ON orders (status, placed_at, order_id);
