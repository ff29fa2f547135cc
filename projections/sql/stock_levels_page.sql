-- Stock levels in (location_code, sku) order, after the keyset cursor ($1, $2: ('', '') for the first page;
-- codes and SKUs are never empty), on the index stock_levels_location_idx.
SELECT sku, location_code, on_hand, reserved, safety_stock, available, incoming
FROM stock_levels
WHERE (location_code, sku) > ($1::TEXT, $2::TEXT)
ORDER BY location_code, sku
LIMIT $3
