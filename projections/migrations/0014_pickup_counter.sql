-- The pickup counter (issue 14): when a PICKUP shipment became ready, when its hold ends, when the customer was
-- reminded and when it was collected. Rows written before have none (`meridian replay --swap` fills them in).
-- The pickup code is not a column: it is read from the order's state, behind its access rule, and nowhere else.
ALTER TABLE shipments ADD COLUMN IF NOT EXISTS ready_at TIMESTAMPTZ;
ALTER TABLE shipments ADD COLUMN IF NOT EXISTS expires_at TIMESTAMPTZ;
ALTER TABLE shipments ADD COLUMN IF NOT EXISTS reminded_at TIMESTAMPTZ;
ALTER TABLE shipments ADD COLUMN IF NOT EXISTS collected_at TIMESTAMPTZ;
-- The sweeps read only the shipments waiting at a counter: the holds that ran out, the reminders due.
CREATE INDEX IF NOT EXISTS shipments_waiting_idx ON shipments (expires_at) WHERE status = 'READY_FOR_PICKUP';
