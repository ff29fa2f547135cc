-- Every sourcing decision of an order, not only the latest (an order is sourced again when supply serves its
-- backorder, or when a location declines its units at the pick). A decision is keyed by the version of its
-- SourcingDecided event in the order stream, which also orders an order's decisions.
-- Rows from before this migration keep version 0 and are only each order's latest decision: `meridian replay
-- --swap` rebuilds the table from the log with every decision and its true version.
ALTER TABLE sourcing_decisions ADD COLUMN IF NOT EXISTS stream_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sourcing_decisions ADD COLUMN IF NOT EXISTS trigger TEXT NOT NULL DEFAULT 'PLACED';
ALTER TABLE sourcing_decisions ADD COLUMN IF NOT EXISTS lower_bound DOUBLE PRECISION;
ALTER TABLE sourcing_decisions ADD COLUMN IF NOT EXISTS gap DOUBLE PRECISION;
ALTER TABLE sourcing_decisions DROP CONSTRAINT IF EXISTS sourcing_decisions_pkey;
ALTER TABLE sourcing_decisions ADD PRIMARY KEY (order_id, stream_version);
