-- Stock levels at the locations $1, in (location_code, sku) order after the keyset cursor ($2, $3: ('', '')
-- for the first page).
SELECT sku, location_code, on_hand, reserved, safety_stock, available, incoming
FROM stock_levels
WHERE location_code = ANY ($1::TEXT[])
  AND (location_code, sku) > ($2::TEXT, $3::TEXT)
ORDER BY location_code, sku
LIMIT $4
