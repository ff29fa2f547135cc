-- When a shipment for a later delivery window may be picked (issue 16). Until then it stays out of the pick list,
-- the fulfilment queue's PLANNED work and the pick SLA sweep; NULL: at once (every shipment written before it).
ALTER TABLE shipments ADD COLUMN IF NOT EXISTS release_at TIMESTAMPTZ;

-- The slots of each delivery window (one row per `slots-<location>-<start>` stream): how full it is, and whose.
CREATE TABLE IF NOT EXISTS delivery_slots (
    slot_key      TEXT        PRIMARY KEY,
    location_code TEXT        NOT NULL,
    window_start  TIMESTAMPTZ NOT NULL,
    window_end    TIMESTAMPTZ NOT NULL,
    taken         INTEGER     NOT NULL,
    capacity      INTEGER,
    version       BIGINT      NOT NULL,
    state         JSONB       NOT NULL
);
-- A location's windows in time order (an operator watching them fill up).
CREATE INDEX IF NOT EXISTS delivery_slots_location_idx ON delivery_slots (location_code, window_start);
