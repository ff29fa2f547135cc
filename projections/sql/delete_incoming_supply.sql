DELETE FROM incoming_supply i
USING unnest($1::TEXT[], $2::TEXT[]) AS k (sku, location_code)
WHERE i.sku = k.sku AND i.location_code = k.location_code
