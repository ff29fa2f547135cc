-- orders_page of the orders with a shipment at one of the locations $6, in status $7 (NULL: any): per location,
-- the first page's worth from shipments_location_placed_idx, then merged (an order shipped from two of them, or
-- twice from one, appears once).
SELECT DISTINCT ON (f.placed_at, f.order_id) f.order_id, f.placed_at
FROM unnest($6::TEXT[]) AS code
CROSS JOIN LATERAL (
    SELECT DISTINCT ON (s.order_placed_at, s.order_id) s.order_id, s.order_placed_at AS placed_at
    FROM shipments s
    JOIN orders o ON o.order_id = s.order_id
    WHERE s.location_code = code
      AND (s.order_placed_at, s.order_id) > (COALESCE($1::TIMESTAMPTZ, '-infinity'), COALESCE($2::TEXT, ''))
      AND s.order_placed_at >= COALESCE($4::TIMESTAMPTZ, '-infinity')
      AND s.order_placed_at < COALESCE($5::TIMESTAMPTZ, 'infinity')
      AND ($7::TEXT IS NULL OR o.status = $7)
    ORDER BY s.order_placed_at, s.order_id
    LIMIT $3
) AS f
ORDER BY f.placed_at, f.order_id
LIMIT $3
