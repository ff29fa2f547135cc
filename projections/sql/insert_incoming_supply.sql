INSERT INTO incoming_supply (sku, location_code, supply_id, kind, quantity, expected_at, source_location_code)
SELECT *
FROM unnest($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::INT[], $6::TIMESTAMPTZ[], $7::TEXT[])
