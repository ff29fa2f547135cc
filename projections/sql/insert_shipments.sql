INSERT INTO shipments (order_id, shipment_id, location_code, status, lines, carrier, tracking_number,
                       promised_delivery, estimated_delivery, dispatched_at, delivered_at, tracking, planned_at,
                       ready_at, expires_at, reminded_at, collected_at, kind, destination, fed_by, awaiting_transfer,
                       release_at, order_placed_at)
SELECT order_id, shipment_id, location_code, status, lines::JSONB, carrier, tracking_number, promised_delivery,
       estimated_delivery, dispatched_at, delivered_at, tracking::JSONB, planned_at,
       ready_at, expires_at, reminded_at, collected_at, kind, destination, fed_by, awaiting_transfer, release_at,
       order_placed_at
FROM unnest($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TEXT[],
            $8::TIMESTAMPTZ[], $9::TIMESTAMPTZ[], $10::TIMESTAMPTZ[], $11::TIMESTAMPTZ[], $12::TEXT[],
            $13::TIMESTAMPTZ[], $14::TIMESTAMPTZ[], $15::TIMESTAMPTZ[], $16::TIMESTAMPTZ[], $17::TIMESTAMPTZ[],
            $18::TEXT[], $19::TEXT[], $20::TEXT[], $21::BOOLEAN[], $22::TIMESTAMPTZ[], $23::TIMESTAMPTZ[])
    AS r (order_id, shipment_id, location_code, status, lines, carrier, tracking_number, promised_delivery,
          estimated_delivery, dispatched_at, delivered_at, tracking, planned_at,
          ready_at, expires_at, reminded_at, collected_at, kind, destination, fed_by, awaiting_transfer, release_at,
          order_placed_at)
