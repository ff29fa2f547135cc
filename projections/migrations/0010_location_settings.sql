-- A location's store settings (issue 14). Rows written before them get what the domain gives a location whose
-- events predate them: no pick SLA (never expires) and a five-day pickup hold, so no replay is needed.
ALTER TABLE locations
    ADD COLUMN IF NOT EXISTS pick_sla_minutes INTEGER,
    ADD COLUMN IF NOT EXISTS pickup_hold_days INTEGER NOT NULL DEFAULT 5;
