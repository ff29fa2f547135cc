-- When each shipment was planned, for the pick SLA sweep (issue 14). Rows written before it have none, like the
-- domain's shipments planned before it was recorded: they never expire (`meridian replay --swap` fills it in).
ALTER TABLE shipments ADD COLUMN IF NOT EXISTS planned_at TIMESTAMPTZ;
-- The sweep reads only the shipments still waiting to be picked, oldest first.
CREATE INDEX IF NOT EXISTS shipments_planned_idx ON shipments (planned_at) WHERE status = 'PLANNED';
