-- When a shipment for a later delivery window may be picked (issue 16). Until then it stays out of the pick list,
-- the fulfilment queue's PLANNED work and the pick SLA sweep; NULL: at once (every shipment written before it).
ALTER TABLE shipments ADD COLUMN IF NOT EXISTS release_at TIMESTAMPTZ;
