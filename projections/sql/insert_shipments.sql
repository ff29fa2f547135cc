INSERT INTO shipments (order_id, shipment_id, location_code, status, lines, carrier, tracking_number,
                       promised_delivery, estimated_delivery, dispatched_at, delivered_at, tracking, planned_at,
                       release_at)
SELECT order_id, shipment_id, location_code, status, lines::JSONB, carrier, tracking_number, promised_delivery,
       estimated_delivery, dispatched_at, delivered_at, tracking::JSONB, planned_at, release_at
FROM unnest($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::TEXT[],
            $8::TIMESTAMPTZ[], $9::TIMESTAMPTZ[], $10::TIMESTAMPTZ[], $11::TIMESTAMPTZ[], $12::TEXT[],
            $13::TIMESTAMPTZ[], $14::TIMESTAMPTZ[])
    AS r (order_id, shipment_id, location_code, status, lines, carrier, tracking_number, promised_delivery,
          estimated_delivery, dispatched_at, delivered_at, tracking, planned_at, release_at)
