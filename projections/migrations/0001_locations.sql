-- Locations as the read side sees them. `state` is the domain's Location, msgspec-encoded: the next batch
-- folds from it with `app.domain.locations.evolve`. Coordinates are indexed for "near this point".
CREATE TABLE IF NOT EXISTS locations (
    code            TEXT             PRIMARY KEY,
    name            TEXT             NOT NULL,
    type            TEXT             NOT NULL,
    latitude        DOUBLE PRECISION NOT NULL,
    longitude       DOUBLE PRECISION NOT NULL,
    ship            BOOLEAN          NOT NULL,
    pickup          BOOLEAN          NOT NULL,
    accepts_returns BOOLEAN          NOT NULL,
    daily_capacity  INTEGER,
    handling_cost   DOUBLE PRECISION NOT NULL,
    active          BOOLEAN          NOT NULL,
    version         BIGINT           NOT NULL,
    updated_at      TIMESTAMPTZ      NOT NULL,
    state           JSONB            NOT NULL
);

CREATE INDEX IF NOT EXISTS locations_coordinates_idx ON locations (latitude, longitude) WHERE active;
