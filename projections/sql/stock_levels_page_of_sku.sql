-- One SKU's stock levels by location code after the cursor $3 ('' for the first page), at the locations $2
-- (NULL: any), on the primary key (sku, location_code).
SELECT sku, location_code, on_hand, reserved, safety_stock, available, incoming
FROM stock_levels
WHERE sku = $1
  AND ($2::TEXT[] IS NULL OR location_code = ANY ($2::TEXT[]))
  AND location_code > $3::TEXT
ORDER BY location_code
LIMIT $4
