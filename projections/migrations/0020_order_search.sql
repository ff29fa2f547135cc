-- Order search (issue 18): every filter of `orders` walks an index in the list's own order, (placed_at, order_id),
-- so a page costs its size whatever the filter, and the placed-time range and the cursor bound the same walk.
-- Orders with a line of a SKU: the lines already carry their order's placed_at (0006).
CREATE INDEX IF NOT EXISTS order_lines_sku_placed_idx ON order_lines (sku, placed_at, order_id);
-- Orders touching a location: its shipments carry their order's placed_at too (copied as order_lines do), filled
-- in here for the rows written before it.
ALTER TABLE shipments ADD COLUMN IF NOT EXISTS order_placed_at TIMESTAMPTZ;
UPDATE shipments s SET order_placed_at = o.placed_at
FROM orders o
WHERE o.order_id = s.order_id AND s.order_placed_at IS NULL;
CREATE INDEX IF NOT EXISTS shipments_location_placed_idx ON shipments (location_code, order_placed_at, order_id);
