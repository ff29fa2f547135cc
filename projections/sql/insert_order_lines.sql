INSERT INTO order_lines (order_id, line_no, sku, ordered, allocated, backordered, shipped, delivered, cancelled,
                         returned, priority, placed_at)
SELECT *
FROM unnest($1::TEXT[], $2::INT[], $3::TEXT[], $4::INT[], $5::INT[], $6::INT[], $7::INT[], $8::INT[], $9::INT[],
            $10::INT[], $11::INT[], $12::TIMESTAMPTZ[])
