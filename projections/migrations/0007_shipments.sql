-- Shipments of orders (ids are unique within their order). `lines` and `tracking` are JSON arrays in the
-- domain's shapes; `tracking` is the timeline as received.
CREATE TABLE IF NOT EXISTS shipments (
    order_id           TEXT        NOT NULL,
    shipment_id        TEXT        NOT NULL,
    location_code      TEXT        NOT NULL,
    status             TEXT        NOT NULL,
    lines              JSONB       NOT NULL,
    carrier            TEXT,
    tracking_number    TEXT,
    promised_delivery  TIMESTAMPTZ,
    estimated_delivery TIMESTAMPTZ,
    dispatched_at      TIMESTAMPTZ,
    delivered_at       TIMESTAMPTZ,
    tracking           JSONB       NOT NULL,
    PRIMARY KEY (order_id, shipment_id)
);

-- Carrier webhooks name a shipment by carrier and tracking number.
CREATE UNIQUE INDEX IF NOT EXISTS shipments_tracking_key ON shipments (carrier, tracking_number)
    WHERE tracking_number IS NOT NULL;
-- Orders by location (an operator's view), through their shipments.
CREATE INDEX IF NOT EXISTS shipments_location_idx ON shipments (location_code, status, order_id);
