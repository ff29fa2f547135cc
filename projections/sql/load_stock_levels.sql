SELECT s.sku, s.location_code, s.state::TEXT, s.version
FROM stock_levels s
JOIN unnest($1::TEXT[], $2::TEXT[]) AS k (sku, location_code) USING (sku, location_code)
