INSERT INTO cart_reservations (cart_id, customer_id, status, expires_at, promised_delivery, order_id, version,
                               updated_at, state)
SELECT cart_id, customer_id, status, expires_at, promised_delivery, order_id, version, updated_at, state::JSONB
FROM unnest($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TIMESTAMPTZ[], $5::TIMESTAMPTZ[], $6::TEXT[], $7::BIGINT[],
            $8::TIMESTAMPTZ[], $9::TEXT[])
    AS c (cart_id, customer_id, status, expires_at, promised_delivery, order_id, version, updated_at, state)
ON CONFLICT (cart_id) DO UPDATE
SET customer_id = excluded.customer_id, status = excluded.status, expires_at = excluded.expires_at,
    promised_delivery = excluded.promised_delivery, order_id = excluded.order_id, version = excluded.version,
    updated_at = excluded.updated_at, state = excluded.state
