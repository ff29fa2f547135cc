-- Supply still expected at a location (transfers and purchase orders), with its date.
CREATE TABLE IF NOT EXISTS incoming_supply (
    sku                  TEXT        NOT NULL,
    location_code        TEXT        NOT NULL,
    supply_id            TEXT        NOT NULL,
    kind                 TEXT        NOT NULL,
    quantity             INTEGER     NOT NULL,
    expected_at          TIMESTAMPTZ NOT NULL,
    source_location_code TEXT,
    PRIMARY KEY (sku, location_code, supply_id)
);
