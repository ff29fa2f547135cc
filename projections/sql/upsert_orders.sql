INSERT INTO orders (order_id, customer_id, status, service_level, priority, channel, placed_at, ship_to_latitude,
                    ship_to_longitude, ship_to_postal_code, ship_to_country, hold_reason, version, last_position,
                    updated_at, state, delivery_method, pickup_location_code)
SELECT order_id, customer_id, status, service_level, priority, channel, placed_at, ship_to_latitude,
       ship_to_longitude, ship_to_postal_code, ship_to_country, hold_reason, version, last_position, updated_at,
       state::JSONB, delivery_method, pickup_location_code
FROM unnest($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::INT[], $6::TEXT[], $7::TIMESTAMPTZ[],
            $8::FLOAT8[], $9::FLOAT8[], $10::TEXT[], $11::TEXT[], $12::TEXT[], $13::BIGINT[], $14::BIGINT[],
            $15::TIMESTAMPTZ[], $16::TEXT[], $17::TEXT[], $18::TEXT[])
    AS r (order_id, customer_id, status, service_level, priority, channel, placed_at, ship_to_latitude,
          ship_to_longitude, ship_to_postal_code, ship_to_country, hold_reason, version, last_position,
          updated_at, state, delivery_method, pickup_location_code)
ON CONFLICT (order_id) DO UPDATE
SET customer_id = excluded.customer_id, status = excluded.status, service_level = excluded.service_level,
    priority = excluded.priority, channel = excluded.channel, placed_at = excluded.placed_at,
    ship_to_latitude = excluded.ship_to_latitude, ship_to_longitude = excluded.ship_to_longitude,
    ship_to_postal_code = excluded.ship_to_postal_code, ship_to_country = excluded.ship_to_country,
    hold_reason = excluded.hold_reason, version = excluded.version, last_position = excluded.last_position,
    updated_at = excluded.updated_at, state = excluded.state, delivery_method = excluded.delivery_method,
    pickup_location_code = excluded.pickup_location_code
