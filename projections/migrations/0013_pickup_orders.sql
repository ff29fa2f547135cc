-- Click & collect (issue 14): how an order reaches its customer and which store it is collected at; a
-- shipment's kind (SHIP or PICKUP), a transfer's destination store, and a pickup shipment waiting for the transfer
-- that feeds it (`fed_by`; not pickable while `awaiting_transfer`). Rows written before them are shipped orders
-- and parcels, as the domain reads events that predate them: no replay is needed.
ALTER TABLE orders
    ADD COLUMN IF NOT EXISTS delivery_method TEXT NOT NULL DEFAULT 'SHIP',
    ADD COLUMN IF NOT EXISTS pickup_location_code TEXT;
ALTER TABLE shipments
    ADD COLUMN IF NOT EXISTS kind TEXT NOT NULL DEFAULT 'SHIP',
    ADD COLUMN IF NOT EXISTS destination TEXT,
    ADD COLUMN IF NOT EXISTS fed_by TEXT,
    ADD COLUMN IF NOT EXISTS awaiting_transfer BOOLEAN NOT NULL DEFAULT FALSE;
-- The pick SLA sweep's index, now without the pickup shipments that cannot be picked yet.
DROP INDEX IF EXISTS shipments_planned_idx;
CREATE INDEX IF NOT EXISTS shipments_planned_idx ON shipments (planned_at)
    WHERE status = 'PLANNED' AND NOT awaiting_transfer;
