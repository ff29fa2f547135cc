-- The latest sourcing decision of each order, as SourcingDecided recorded it: "why does it ship from there?"
CREATE TABLE IF NOT EXISTS sourcing_decisions (
    order_id        TEXT             PRIMARY KEY,
    algorithm       TEXT             NOT NULL,
    total_cost      DOUBLE PRECISION NOT NULL,
    objective       DOUBLE PRECISION NOT NULL,
    fallback_used   BOOLEAN          NOT NULL,
    profile_version INTEGER          NOT NULL,
    decided_at      TIMESTAMPTZ      NOT NULL,
    candidates      JSONB            NOT NULL,
    shipments       JSONB            NOT NULL,
    backordered     JSONB            NOT NULL
);
