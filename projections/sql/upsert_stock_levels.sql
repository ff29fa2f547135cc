INSERT INTO stock_levels (sku, location_code, on_hand, reserved, safety_stock, available, incoming,
                          reorder_point, reorder_quantity, version, updated_at, state)
SELECT sku, location_code, on_hand, reserved, safety_stock, available, incoming, reorder_point,
       reorder_quantity, version, updated_at, state::JSONB
FROM unnest($1::TEXT[], $2::TEXT[], $3::INT[], $4::INT[], $5::INT[], $6::INT[], $7::INT[], $8::INT[],
            $9::INT[], $10::BIGINT[], $11::TIMESTAMPTZ[], $12::TEXT[])
    AS r (sku, location_code, on_hand, reserved, safety_stock, available, incoming, reorder_point,
          reorder_quantity, version, updated_at, state)
ON CONFLICT (sku, location_code) DO UPDATE
SET on_hand = excluded.on_hand, reserved = excluded.reserved, safety_stock = excluded.safety_stock,
    available = excluded.available, incoming = excluded.incoming, reorder_point = excluded.reorder_point,
    reorder_quantity = excluded.reorder_quantity, version = excluded.version, updated_at = excluded.updated_at,
    state = excluded.state
