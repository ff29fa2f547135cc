INSERT INTO returns (return_id, order_id, status, lines, received, location_code, refund_amount,
                     replacement_order_id, carrier, tracking_number, requested_at, version, updated_at, state)
SELECT return_id, order_id, status, lines::JSONB, received::JSONB, location_code, refund_amount,
       replacement_order_id, carrier, tracking_number, requested_at, version, updated_at, state::JSONB
FROM unnest($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::NUMERIC[], $8::TEXT[],
            $9::TEXT[], $10::TEXT[], $11::TIMESTAMPTZ[], $12::BIGINT[], $13::TIMESTAMPTZ[], $14::TEXT[])
    AS r (return_id, order_id, status, lines, received, location_code, refund_amount, replacement_order_id,
          carrier, tracking_number, requested_at, version, updated_at, state)
ON CONFLICT (return_id) DO UPDATE
SET order_id = excluded.order_id, status = excluded.status, lines = excluded.lines, received = excluded.received,
    location_code = excluded.location_code, refund_amount = excluded.refund_amount,
    replacement_order_id = excluded.replacement_order_id, carrier = excluded.carrier,
    tracking_number = excluded.tracking_number, requested_at = excluded.requested_at, version = excluded.version,
    updated_at = excluded.updated_at, state = excluded.state
