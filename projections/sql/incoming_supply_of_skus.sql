-- Supply still expected of these SKUs, at every location (the primary key leads with the SKU).
SELECT location_code, sku, quantity, expected_at
FROM incoming_supply
WHERE sku = ANY ($1::TEXT[]) AND quantity > 0
