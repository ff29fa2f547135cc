-- One row per SKU x location: the stock aggregate's numbers, with `available` = ATP as the domain defines it.
CREATE TABLE IF NOT EXISTS stock_levels (
    sku              TEXT        NOT NULL,
    location_code    TEXT        NOT NULL,
    on_hand          INTEGER     NOT NULL,
    reserved         INTEGER     NOT NULL,
    safety_stock     INTEGER     NOT NULL,
    available        INTEGER     NOT NULL,
    incoming         INTEGER     NOT NULL,
    reorder_point    INTEGER     NOT NULL,
    reorder_quantity INTEGER     NOT NULL,
    version          BIGINT      NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    state            JSONB       NOT NULL,
    PRIMARY KEY (sku, location_code)
);

-- "Availability of these SKUs near this point": only rows with something to promise, found by SKU.
CREATE INDEX IF NOT EXISTS stock_levels_available_idx ON stock_levels (sku) INCLUDE (location_code, available)
    WHERE available > 0;
CREATE INDEX IF NOT EXISTS stock_levels_location_idx ON stock_levels (location_code, sku);
