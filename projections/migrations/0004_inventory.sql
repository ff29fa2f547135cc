-- The network rollup per SKU. A view: the per-location rows are the truth, and a SKU has few of them.
CREATE OR REPLACE VIEW inventory AS
SELECT sku,
       sum(on_hand)::INTEGER   AS on_hand,
       sum(reserved)::INTEGER  AS reserved,
       sum(available)::INTEGER AS available,
       sum(incoming)::INTEGER  AS incoming,
       count(*)::INTEGER       AS locations
FROM stock_levels
GROUP BY sku;
